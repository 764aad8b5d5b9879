import type { Value } from '../../core/types.js';
import type { CrmPlan } from '../crm-plan.js';
import type { LegacyCrmCounts } from '../legacy-counts.js';
import type { Tally } from '../manifest.js';
import type { TableSpec } from '../table-spec.js';

/** What every table generator gets: the shared plan (pure cross-row functions), the row counts and the tally. */
export interface TableContext {
  readonly plan: CrmPlan;
  readonly counts: LegacyCrmCounts;
  readonly tally: Tally;
}

/** One legacy table: its declaration and a lazy stream of its rows in key-generation order. */
export interface LegacyTableGenerator {
  readonly spec: TableSpec<readonly (readonly [string, string])[]>;
  rows(context: TableContext): Iterable<Value[]>;
}
