import type { CreateTableOptions, Writer } from '../connectors/contract.js';
import type { LegacyTable } from './legacy-counts.js';
import { generateLegacyCrm, type LegacyCrmOptions, type LegacyCrmSample } from './legacy-crm.js';

export interface WriteLegacyCrmOptions extends LegacyCrmOptions {
  /** Passed to `createTables`; Sugar declares no foreign keys, so none are created either way. */
  readonly createTables?: CreateTableOptions;
  /** Called after each written batch (progress bars). */
  readonly onBatch?: (table: LegacyTable, rowsWritten: number) => void;
}

/**
 * Creates the legacy tables through the Writer contract and inserts the whole sample, batch by
 * batch, so the same data lands in SQLite, MariaDB or PostgreSQL through whichever connector is
 * given. Returns the sample (schema, counts, manifest) and the rows written per table.
 */
export async function writeLegacyCrm(
  writer: Writer,
  options: WriteLegacyCrmOptions,
): Promise<{ readonly sample: LegacyCrmSample; readonly written: Readonly<Record<LegacyTable, number>> }> {
  const sample = generateLegacyCrm(options);
  await writer.createTables(sample.schema, { ...options.createTables, foreignKeys: false });
  const written = Object.fromEntries(Object.keys(sample.counts).map((t) => [t, 0])) as Record<LegacyTable, number>;
  for await (const { table, batch } of sample.tables()) {
    written[table] += await writer.write(table, batch, { mode: 'insert' });
    options.onBatch?.(table, written[table]);
  }
  return { sample, written };
}
