import type { Value } from '../../core/types.js';
import { SPACE } from '../crm-plan.js';
import { CURRENCIES } from '../currencies.js';
import { Rng } from '../prng.js';
import { defineTable } from '../table-spec.js';
import { audit } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const spec = defineTable('currencies', [
  ['id', 'char(36)'],
  ['name', 'varchar(36)'],
  ['symbol', 'varchar(36)'],
  ['iso4217', 'varchar(3)'],
  ['conversion_rate', 'double'],
  ['status', 'varchar(100)'],
  ['deleted', 'tinyint(1)'],
  ['date_entered', 'datetime'],
  ['date_modified', 'datetime'],
  ['created_by', 'char(36)'],
]);

function* rows(context: TableContext): Iterable<Value[]> {
  for (const [i, currency] of CURRENCIES.entries()) {
    const rng = new Rng(context.plan.rowSeed(SPACE.currencies, i));
    const { date_entered, date_modified, created_by } = audit(context, rng, 'currencies', SPACE.currencies, i);
    yield spec.toRow({
      id: context.plan.id(SPACE.currencies, i),
      name: currency.name,
      symbol: currency.symbol,
      iso4217: currency.iso4217,
      // A double in Sugar; the rates are short decimals that a double holds exactly enough to print back.
      conversion_rate: Number(currency.rate),
      status: 'Active',
      deleted: false,
      date_entered,
      date_modified,
      created_by,
    });
  }
}

export const currenciesTable: LegacyTableGenerator = { spec, rows };
