import type { RowBatch, TableSchema, Value } from '../core/types.js';
import { CrmPlan } from './crm-plan.js';
import { beanSizes, type LegacyCrmCounts, type LegacyTable } from './legacy-counts.js';
import { LEGACY_TABLE_NAMES, LEGACY_TABLES } from './legacy-tables.js';
import { type LegacyCrmManifest, Tally } from './manifest.js';
import { pools } from './pools.js';
import type { TableContext } from './tables/table-context.js';

export interface LegacyCrmOptions {
  /** Number of contacts N; every other table's size derives from it. */
  readonly contacts: number;
  /** Same seed and size → identical data, byte for byte. Default 1. */
  readonly seed?: number;
  /**
   * Rows per batch; default 1000. Batch size never changes the data, only how it is cut. Rows
   * of a batch being filled survive young-generation GCs, so batches much larger than this
   * make V8 copy them around and generation slows markedly.
   */
  readonly batchSize?: number;
}

export interface LegacyCrmSample {
  readonly seed: number;
  readonly schema: readonly TableSchema[];
  readonly counts: LegacyCrmCounts;
  /**
   * What was planted, counted. Computed on first call by generating the whole sample once
   * (and discarding the rows), then remembered.
   */
  manifest(): LegacyCrmManifest;
  /** One table's rows, lazily, at most `batchSize` rows at a time; each call starts afresh. */
  batches(table: LegacyTable): Iterable<RowBatch>;
  /** Every table in load order, lazily: only the batch being handed out exists. */
  tables(): AsyncIterable<{ readonly table: LegacyTable; readonly batch: RowBatch }>;
}

const DEFAULT_SEED = 1;
const DEFAULT_BATCH_SIZE = 1000;

/** The canonical schema of the legacy CRM: Sugar's column names and MySQL native types, no foreign keys. */
export function legacyCrmSchema(): TableSchema[] {
  return LEGACY_TABLE_NAMES.map((name) => LEGACY_TABLES[name].spec.schema);
}

/** The plan and counts behind a sample; shared by the generator and the CSV export. */
export function planLegacyCrm(options: LegacyCrmOptions): { readonly plan: CrmPlan; readonly counts: LegacyCrmCounts } {
  const plan = new CrmPlan((options.seed ?? DEFAULT_SEED) >>> 0, beanSizes(options.contacts), pools());
  return { plan, counts: plan.counts() };
}

export function generateLegacyCrm(options: LegacyCrmOptions): LegacyCrmSample {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const { plan, counts } = planLegacyCrm(options);
  const context = (tally: Tally): TableContext => ({ plan, counts, tally });
  let manifest: LegacyCrmManifest | undefined;

  const batches = (table: LegacyTable, tally = new Tally()): Iterable<RowBatch> => {
    const generator = LEGACY_TABLES[table];
    return batched(generator.spec.columns, generator.rows(context(tally)), batchSize);
  };

  return {
    seed: plan.seed,
    schema: legacyCrmSchema(),
    counts,
    manifest() {
      if (!manifest) {
        const tally = new Tally();
        for (const table of LEGACY_TABLE_NAMES) for (const _ of LEGACY_TABLES[table].rows(context(tally)));
        manifest = tally.manifest();
      }
      return manifest;
    },
    batches: (table) => batches(table),
    async *tables() {
      for (const table of LEGACY_TABLE_NAMES) {
        for (const batch of batches(table)) yield { table, batch };
      }
    },
  };
}

function* batched(columns: readonly string[], rows: Iterable<Value[]>, size: number): Iterable<RowBatch> {
  let current: Value[][] = [];
  for (const row of rows) {
    current.push(row);
    if (current.length === size) {
      yield { columns, rows: current };
      current = [];
    }
  }
  if (current.length > 0) yield { columns, rows: current };
}
