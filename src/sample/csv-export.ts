import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Value } from '../core/types.js';
import { EXPORT_MODULES, ExportLookups, type ExportModule, type ExportRow } from './csv-modules.js';
import { type LegacyCrmOptions, planLegacyCrm } from './legacy-crm.js';
import { LEGACY_TABLES } from './legacy-tables.js';
import { Tally } from './manifest.js';
import type { TableContext } from './tables/table-context.js';

export interface CsvExportResult {
  /** Files written, in `EXPORT_MODULES` order. */
  readonly files: readonly string[];
  /** Data records per file (soft-deleted rows are not exported, as in the CRM). */
  readonly records: Readonly<Record<string, number>>;
}

/**
 * Writes the sample as a CRM's own CSV export: one file per module, human headers, every cell
 * quoted, a UTF-8 BOM and CRLF line ends, money as '$25,000.00', dates as MM/DD/YYYY, the
 * account by name rather than id and the primary email as a column. Deliberately not the CSV
 * connector: this is the messy real-world format crmbridge has to read.
 */
export async function writeLegacyCrmCsvExport(folder: string, options: LegacyCrmOptions): Promise<CsvExportResult> {
  await mkdir(folder, { recursive: true });
  const { plan, counts } = planLegacyCrm(options);
  const context: TableContext = { plan, counts, tally: new Tally() };
  const lookups = new ExportLookups(plan, userNames(context));
  const files: string[] = [];
  const records: Record<string, number> = {};
  for (const module of EXPORT_MODULES) {
    const file = join(folder, module.file);
    const counter = { n: 0 };
    await pipeline(
      Readable.from(exportRecords(module, context, lookups, counter)),
      stringify({
        header: true,
        columns: module.columns.map(([header]) => header),
        quoted: true,
        quoted_empty: true,
        bom: true,
        record_delimiter: 'windows',
      }),
      createWriteStream(file),
    );
    files.push(file);
    records[module.file] = counter.n;
  }
  return { files, records };
}

function* exportRecords(module: ExportModule, context: TableContext, lookups: ExportLookups, counter: { n: number }): Iterable<string[]> {
  const generator = LEGACY_TABLES[module.table];
  const view = new RowView(generator.spec.columns);
  const deleted = generator.spec.columns.indexOf('deleted');
  for (const row of generator.rows(context)) {
    // Every bean table yields exactly one row per bean index, so the ordinal is the bean index.
    view.load(row);
    if (row[deleted] !== true) {
      counter.n++;
      yield module.columns.map(([, cell]) => cell(view, lookups));
    }
  }
}

/** One reusable by-name view over positional rows. */
class RowView implements ExportRow {
  index = -1;
  private row: Value[] = [];
  private readonly positions: ReadonlyMap<string, number>;

  constructor(columns: readonly string[]) {
    this.positions = new Map(columns.map((c, i) => [c, i]));
  }

  load(row: Value[]): void {
    this.row = row;
    this.index++;
  }

  get(column: string): Value {
    const position = this.positions.get(column);
    if (position === undefined) throw new Error(`CSV export: no column ${column}`);
    return this.row[position];
  }
}

function userNames(context: TableContext): Map<string, string> {
  const { columns } = LEGACY_TABLES.users.spec;
  const id = columns.indexOf('id');
  const name = columns.indexOf('user_name');
  const names = new Map<string, string>();
  for (const row of LEGACY_TABLES.users.rows(context)) names.set(row[id] as string, row[name] as string);
  return names;
}
