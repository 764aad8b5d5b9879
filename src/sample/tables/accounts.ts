import type { Value } from '../../core/types.js';
import { SPACE } from '../crm-plan.js';
import { annualRevenue, dateBetween, description, optional, phone, picklist } from '../dirt.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { address, addressKeys, addressSpecs, assignedUser, audit, copiedAddress, softDeleted } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const accounts = defineTable(
  'accounts',
  [
    ['id', 'char(36)'],
    ['name', 'varchar(150)'],
    ...AUDIT_COLUMNS,
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
    ['assigned_user_id', 'char(36)'],
    ['account_type', 'varchar(50)'],
    ['industry', 'varchar(50)'],
    ['annual_revenue', 'varchar(100)'],
    ['phone_fax', 'varchar(100)'],
    ...addressSpecs('billing_address'),
    ['rating', 'varchar(100)'],
    ['phone_office', 'varchar(100)'],
    ['phone_alternate', 'varchar(100)'],
    ['website', 'varchar(255)'],
    ['ownership', 'varchar(100)'],
    ['employees', 'varchar(10)'],
    ['ticker_symbol', 'varchar(10)'],
    ...addressSpecs('shipping_address'),
    ['parent_id', 'char(36)'],
    ['sic_code', 'varchar(10)'],
  ],
  { indexes: [index('accounts', ['name']), index('accounts', ['parent_id'])] },
);

const BILLING = addressKeys('accounts', 'billing_address');
const SHIPPING = addressKeys('accounts', 'shipping_address');
const EMPLOYEES = ['1-10', '11-50', '51-200', '201-500', '500+', '10000', '~300', 'unknown'];

function* accountRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.accounts; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.accounts, i));
    const variant = plan.accountNameVariant(i);
    if (variant !== 'unique') tally.add('duplicateAccountNames', variant);
    const billing = address(context, rng, BILLING, 0.1);
    // Half of the shipping addresses repeat the billing one, as users copy it over.
    const shipping = rng.chance(0.5) ? copiedAddress(context, SHIPPING, billing) : address(context, rng, SHIPPING, 0.4);
    const domain = rng.pick(plan.pools.domains);
    yield accounts.toRow({
      id: plan.id(SPACE.accounts, i),
      name: plan.accountName(i),
      ...audit(context, rng, 'accounts', SPACE.accounts, i),
      description: description(rng, tally, 'accounts.description', plan.pools.phrases),
      deleted: softDeleted(context, rng, 'accounts'),
      assigned_user_id: assignedUser(context, rng, 'accounts', SPACE.accounts, i),
      account_type: optional(rng, tally, 'accounts.account_type', 0.1, 0.05, () => picklist(rng, tally, 'accounts.account_type', 0)),
      industry: optional(rng, tally, 'accounts.industry', 0.1, 0.05, () => picklist(rng, tally, 'accounts.industry', 0.04)),
      annual_revenue: annualRevenue(rng, tally, 'accounts.annual_revenue'),
      phone_fax: phone(rng, tally, 'accounts.phone_fax', 0.6, 0.1),
      billing_address_street: billing.street,
      billing_address_city: billing.city,
      billing_address_state: billing.state,
      billing_address_postalcode: billing.postalcode,
      billing_address_country: billing.country,
      rating: rng.chance(0.9) ? tally.nul('accounts.rating') : rng.pick(['Hot', 'Warm', 'Cold']),
      phone_office: phone(rng, tally, 'accounts.phone_office', 0.1, 0.05),
      phone_alternate: phone(rng, tally, 'accounts.phone_alternate', 0.8, 0.05),
      website: optional(rng, tally, 'accounts.website', 0.2, 0.05, () =>
        rng.pick([`http://www.${domain}`, `www.${domain}`, `https://${domain}/`, domain]),
      ),
      ownership: rng.chance(0.9) ? tally.nul('accounts.ownership') : rng.pick(['Public', 'Private', 'Subsidiary']),
      employees: optional(rng, tally, 'accounts.employees', 0.3, 0.1, () => rng.pick(EMPLOYEES)),
      ticker_symbol: rng.chance(0.95) ? tally.nul('accounts.ticker_symbol') : domain.slice(0, 4).toUpperCase(),
      shipping_address_street: shipping.street,
      shipping_address_city: shipping.city,
      shipping_address_state: shipping.state,
      shipping_address_postalcode: shipping.postalcode,
      shipping_address_country: shipping.country,
      parent_id: parentId(context, rng, i),
      sic_code: rng.chance(0.8) ? tally.nul('accounts.sic_code') : String(rng.between(100, 9999)),
    });
  }
}

/** The parent account of a subsidiary; no parent is NULL or (sometimes) ''. */
function parentId({ plan, tally }: TableContext, rng: Rng, i: number): string | null {
  const parent = plan.parentAccountOf(i);
  if (parent >= 0) return plan.id(SPACE.accounts, parent);
  return rng.chance(0.95) ? tally.nul('accounts.parent_id') : tally.blank('accounts.parent_id');
}

const accountsCstm = defineTable('accounts_cstm', [
  ['id_c', 'char(36)'],
  ['region_c', 'varchar(100)'],
  ['tier_c', 'varchar(100)'],
  ['customer_since_c', 'date'],
  ['nps_score_c', 'int(11)'],
]);

/** Sugar creates a _cstm row only when custom fields were saved, so about 10% of accounts have none. */
function* accountCstmRows({ plan, tally }: TableContext): Iterable<Value[]> {
  for (let i = 0; i < plan.sizes.accounts; i++) {
    if (!plan.hasAccountCstm(i)) continue;
    const rng = new Rng(plan.rowSeed(SPACE.accounts + 100, i));
    yield accountsCstm.toRow({
      id_c: plan.id(SPACE.accounts, i),
      region_c: optional(rng, tally, 'accounts_cstm.region_c', 0.1, 0.1, () =>
        rng.pick(['EMEA', 'NA', 'APAC', 'LATAM', 'emea', 'North America']),
      ),
      tier_c: optional(rng, tally, 'accounts_cstm.tier_c', 0.2, 0.05, () => rng.pick(['Gold', 'Silver', 'Bronze', 'Platinum'])),
      customer_since_c: rng.chance(0.3)
        ? tally.nul('accounts_cstm.customer_since_c')
        : dateBetween(rng, tally, 'accounts_cstm.customer_since_c', 1962, 2024),
      nps_score_c: rng.chance(0.5) ? tally.nul('accounts_cstm.nps_score_c') : rng.between(-100, 100),
    });
  }
}

export const accountsTable: LegacyTableGenerator = { spec: accounts, rows: accountRows };
export const accountsCstmTable: LegacyTableGenerator = { spec: accountsCstm, rows: accountCstmRows };
