import { toCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, DatabaseSchema, Row, RowBatch, Value } from '../../core/types.js';
import type { Capabilities, Connector, ReadBatch, ReadOptions, Writer } from '../contract.js';
import type { CsvLocation } from './csv-location.js';
import type { CsvOptions } from './csv-options.js';
import { planRead, readBatches } from './csv-reader.js';
import { CsvRecordReader } from './csv-records.js';
import { type CsvTable, openTable } from './csv-table.js';
import { CsvWriter } from './csv-writer.js';

/** What was detected or declared for a file, for the user to see (e.g. "delimiter ';' (detected)"). */
export interface CsvFileReport {
  readonly file: string;
  readonly delimiter: string;
  readonly delimiterDetected: boolean;
  readonly encoding: string;
  readonly encodingDetected: boolean;
  readonly header: boolean;
  readonly columns: readonly string[];
}

const CAPABILITIES: Capabilities = {
  dialect: 'csv',
  maxIdentifierLength: Number.POSITIVE_INFINITY,
  keyRanges: false,
  writable: true,
  atomicBatches: false,
};

const KEY_SEPARATOR = '\u0000';

export class CsvConnector implements Connector {
  readonly name = 'csv';
  readonly capabilities = CAPABILITIES;
  readonly displayName: string;

  constructor(
    private readonly location: CsvLocation,
    private readonly options: CsvOptions,
    raw: string,
  ) {
    this.displayName = raw;
  }

  private async table(name: string): Promise<CsvTable> {
    return openTable(name, await this.location.fileOf(name), this.options);
  }

  /** The format used for a table's file: which delimiter and encoding, and whether they were detected. */
  async describe(table: string): Promise<CsvFileReport> {
    const { format } = await this.table(table);
    return {
      file: format.file,
      delimiter: format.delimiter,
      delimiterDetected: format.delimiterDetected,
      encoding: format.encoding.name,
      encodingDetected: format.encoding.detected,
      header: format.header,
      columns: format.columns,
    };
  }

  async introspect(options: { tables?: readonly string[] } = {}): Promise<DatabaseSchema> {
    const files = await this.location.tables();
    // A single file that does not exist is an error (a new target is created by its writer).
    if (!this.location.isFolder && files.size === 0) {
      throw new CrmError('CRM_C1004', `no CSV file at ${this.location.path}`, { location: { connector: 'csv', file: this.location.path } });
    }
    const missing = options.tables?.find((t) => !files.has(t));
    if (missing !== undefined) {
      // A table is named by its file without the extension: say so, with the names there are.
      const known = [...files.keys()].sort().join(', ') || 'none';
      throw new CrmError(
        'CRM_S3001',
        `no CSV file for table ${missing} in ${this.location.path} (its tables, named by file without .csv: ${known})`,
        {
          location: { connector: 'csv', table: missing },
        },
      );
    }
    const names = options.tables ?? [...files.keys()];
    const tables = await Promise.all(names.map(async (name) => (await openTable(name, files.get(name) as string, this.options)).schema));
    return { tables };
  }

  async *read(table: string, options: ReadOptions = {}): AsyncIterable<ReadBatch> {
    const { format, sidecar } = await this.table(table);
    const plan = planRead(table, format, sidecar, options);
    yield* readBatches(new CsvRecordReader(format).events(options.signal), plan);
  }

  /** Data records in the file, rejected ones included: rows read plus rejects always add up to it. */
  async count(table: string, options: { where?: string } = {}): Promise<number> {
    if (options.where !== undefined) {
      throw new CrmError('CRM_N2006', 'CSV files cannot be filtered by SQL', { location: { connector: 'csv', table } });
    }
    const { format } = await this.table(table);
    let n = 0;
    for await (const events of new CsvRecordReader(format).events()) n += events.length;
    return n;
  }

  /** A streaming scan: a CSV file has no index. Keys match through their canonical text, so 2n finds "2". */
  async readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch> {
    const { format, sidecar, schema } = await this.table(table);
    const outColumns = columns ?? format.columns;
    const readColumns = [...keyColumns, ...outColumns];
    const plan = planRead(table, format, sidecar, { columns: readColumns });
    const keyTypes: CanonicalType[] = keyColumns.map((k) => schema.columns.find((c) => c.name === k)?.type ?? { kind: 'text' });
    const keyText = (values: readonly Value[]) => {
      const parts: string[] = [];
      for (let i = 0; i < values.length; i++) {
        const text = toCanonicalText(values[i], keyTypes[i]);
        if (text === null) return undefined;
        parts.push(text);
      }
      return parts.join(KEY_SEPARATOR);
    };
    const wanted = new Set(keys.map(keyText).filter((k): k is string => k !== undefined));
    const rows: Row[] = [];
    for await (const batch of readBatches(new CsvRecordReader(format).events(), plan)) {
      for (const row of batch.rows) {
        const key = keyText(row.slice(0, keyColumns.length));
        if (key !== undefined && wanted.has(key)) rows.push(row.slice(keyColumns.length));
      }
    }
    return { columns: outColumns, rows };
  }

  async writer(): Promise<Writer> {
    return new CsvWriter(this.location, this.options);
  }

  async close(): Promise<void> {}
}
