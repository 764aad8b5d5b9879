import type { Value } from '../../core/types.js';
import { DEFAULT_CURRENCY_ID, SPACE } from '../crm-plan.js';
import { CURRENCIES } from '../currencies.js';
import { dateBetween, description, optional, picklist } from '../dirt.js';
import type { Tally } from '../manifest.js';
import { divideByRate } from '../money.js';
import { STAGE_PROBABILITY } from '../picklists.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { assignedUser, audit, softDeleted } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const spec = defineTable(
  'opportunities',
  [
    ['id', 'char(36)'],
    ['name', 'varchar(50)'],
    ...AUDIT_COLUMNS,
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
    ['assigned_user_id', 'char(36)'],
    ['opportunity_type', 'varchar(255)'],
    ['campaign_id', 'char(36)'],
    ['lead_source', 'varchar(50)'],
    ['amount', 'decimal(26,6)'],
    ['amount_usdollar', 'decimal(26,6)'],
    ['currency_id', 'char(36)'],
    ['date_closed', 'date'],
    ['next_step', 'varchar(100)'],
    ['sales_stage', 'varchar(255)'],
    ['probability', 'double'],
  ],
  { indexes: [index('opportunities', ['name']), index('opportunities', ['sales_stage'])] },
);

const DEAL_KINDS = ['Renewal', 'Expansion', 'New Licenses', 'Pilot', 'Upgrade', 'Services', 'Support Plan'];
const NEXT_STEPS = ['Send proposal', 'Schedule demo', 'Call back after budget approval', 'Legal review', 'Waiting on PO'];

/**
 * An amount as decimal(26,6) text: mostly whole cents, some with six fraction digits, a few
 * beyond 2^53 (where a double would lose digits), and a few NULL (counted).
 */
function amount(rng: Rng, tally: Tally): string | null {
  const r = rng.next();
  if (r < 0.02) return tally.nul('opportunities.amount');
  if (r < 0.08) {
    tally.add('amounts', 'manyDecimals');
    return `${rng.between(100, 999_999)}.${String(rng.int(1_000_000)).padStart(6, '0')}`;
  }
  if (r < 0.09) {
    tally.add('amounts', 'beyondDouble');
    // 17 integer digits: above 2^53 ≈ 9.007e15, and still within 20 digits after conversion to dollars.
    return `${rng.between(10_000_000, 99_999_999)}${String(rng.int(1_000_000_000)).padStart(9, '0')}.${String(rng.int(100)).padStart(2, '0')}`;
  }
  return `${rng.between(1, 500) * 500}.${String(rng.int(100)).padStart(2, '0')}`;
}

function* rows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.opportunities; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.opportunities, i));
    const value = amount(rng, tally);
    const currency = rng.chance(0.85) ? -1 : rng.int(CURRENCIES.length);
    const stage = picklist(rng, tally, 'opportunities.sales_stage', 0.06);
    const probability = STAGE_PROBABILITY[stage];
    yield spec.toRow({
      id: plan.id(SPACE.opportunities, i),
      name: `${rng.pick(plan.pools.products)} - ${rng.pick(DEAL_KINDS)}`,
      ...audit(context, rng, 'opportunities', SPACE.opportunities, i),
      description: description(rng, tally, 'opportunities.description', plan.pools.phrases),
      deleted: softDeleted(context, rng, 'opportunities'),
      assigned_user_id: assignedUser(context, rng, 'opportunities', SPACE.opportunities, i),
      opportunity_type: optional(rng, tally, 'opportunities.opportunity_type', 0.2, 0.1, () =>
        picklist(rng, tally, 'opportunities.opportunity_type', 0),
      ),
      campaign_id: tally.nul('opportunities.campaign_id'),
      lead_source: optional(rng, tally, 'opportunities.lead_source', 0.3, 0.1, () =>
        picklist(rng, tally, 'opportunities.lead_source', 0.05),
      ),
      amount: value,
      amount_usdollar:
        value === null ? tally.nul('opportunities.amount_usdollar') : currency < 0 ? value : divideByRate(value, CURRENCIES[currency].rate),
      currency_id: currency < 0 ? DEFAULT_CURRENCY_ID : plan.id(SPACE.currencies, currency),
      date_closed: rng.chance(0.05)
        ? tally.nul('opportunities.date_closed')
        : dateBetween(rng, tally, 'opportunities.date_closed', 2009, 2027),
      next_step: optional(rng, tally, 'opportunities.next_step', 0.5, 0.2, () => rng.pick(NEXT_STEPS)),
      sales_stage: stage,
      probability: probability ?? tally.nul('opportunities.probability'),
    });
  }
}

export const opportunitiesTable: LegacyTableGenerator = { spec, rows };
