import { CrmError } from '../../core/errors/index.js';
import type { DatabaseSchema, Row, RowBatch, TableSchema, Value } from '../../core/types.js';
import type { Capabilities, Connector, ReadBatch, ReadOptions, Writer } from '../contract.js';
import { readSidecar } from '../shared/sidecar-schema.js';
import { columnTypes } from './json-decode.js';
import { inferTable } from './json-introspect.js';
import { type JsonLocation, readFormat } from './json-location.js';
import { readJsonFile } from './json-reader.js';
import { fileRecords } from './json-records.js';
import { JsonWriter } from './json-writer.js';

const CAPABILITIES: Capabilities = {
  dialect: 'json',
  maxIdentifierLength: Number.POSITIVE_INFINITY,
  keyRanges: false,
  writable: true,
  atomicBatches: false,
};

/**
 * JSON files: one file, or a folder with a file per table. Records are read in file order
 * (`orderBy` cannot be honoured without sorting the whole file, so it is not: files have
 * `keyRanges: false`); `count` and `readByKeys` scan the file.
 */
export class JsonConnector implements Connector {
  readonly name = 'json';
  readonly capabilities = CAPABILITIES;
  readonly displayName: string;

  constructor(private readonly location: JsonLocation) {
    this.displayName = location.path;
  }

  async introspect(options: { tables?: readonly string[] } = {}): Promise<DatabaseSchema> {
    const names = options.tables ?? (await this.location.tables()).map((t) => t.name);
    const tables: TableSchema[] = [];
    for (const name of names) {
      const file = await this.location.existingFile(name);
      const sidecar = await readSidecar(file);
      tables.push(sidecar ? { ...sidecar, name } : await inferTable(name, file, await readFormat(file)));
    }
    return { tables };
  }

  async *read(table: string, options: ReadOptions = {}): AsyncIterable<ReadBatch> {
    if (options.where !== undefined || options.keyRange !== undefined) {
      throw unsupported(table, 'a SQL filter or key range');
    }
    const file = await this.location.existingFile(table);
    const sidecar = await readSidecar(file);
    yield* readJsonFile(
      {
        file,
        format: await readFormat(file),
        table,
        knownColumns: sidecar?.columns.map((c) => c.name) ?? [],
        types: options.types ?? (sidecar ? columnTypes(sidecar) : undefined),
      },
      options,
    );
  }

  async count(table: string, options: { where?: string } = {}): Promise<number> {
    if (options.where !== undefined) throw unsupported(table, 'a SQL filter');
    const file = await this.location.existingFile(table);
    let n = 0;
    for await (const record of fileRecords(file, await readFormat(file))) {
      if (record.ok) n++;
      else if (record.fatal) throw new CrmError(record.code, record.message, { location: { connector: 'json', table, file } });
    }
    return n;
  }

  async readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch> {
    const wanted = new Set(keys.map(keyText));
    let out: { columns: string[]; rows: Row[] } | undefined;
    const read = columns ? [...new Set([...columns, ...keyColumns])] : undefined;
    for await (const batch of this.read(table, read ? { columns: read } : {})) {
      const keyIdx = keyColumns.map((k) => batch.columns.indexOf(k));
      if (keyIdx.includes(-1)) {
        throw new CrmError('CRM_S3002', `no key column ${keyColumns.join(', ')} in ${table}`, { location: { connector: 'json', table } });
      }
      const outColumns = columns ?? batch.columns;
      const idx = outColumns.map((c) => batch.columns.indexOf(c));
      out = { columns: [...outColumns], rows: out?.rows ?? [] };
      for (const row of batch.rows) {
        if (wanted.has(keyText(keyIdx.map((i) => row[i])))) out.rows.push(idx.map((i) => (i < 0 ? null : row[i])));
      }
    }
    return out ?? { columns: [...(columns ?? [])], rows: [] };
  }

  async writer(): Promise<Writer> {
    return new JsonWriter(this.location);
  }

  async close(): Promise<void> {}
}

/** A key as comparable text: a file's untyped 2 and a caller's 2n are the same key. */
function keyText(values: readonly Value[]): string {
  return JSON.stringify(
    values.map((v) =>
      typeof v === 'bigint' || typeof v === 'number' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
    ),
  );
}

function unsupported(table: string, what: string): CrmError {
  return new CrmError('CRM_N2006', `JSON files cannot apply ${what}`, { location: { connector: 'json', table } });
}
