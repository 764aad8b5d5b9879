import { existsSync } from 'node:fs';
import { appendFile, open, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { toCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, RowBatch, TableSchema, Value } from '../../core/types.js';
import type { CreateTableOptions, WriteOptions, Writer } from '../contract.js';
import { writeSidecar } from '../shared/sidecar-schema.js';
import type { CsvDialect } from './csv-dialect.js';
import type { CsvLocation } from './csv-location.js';
import type { CsvOptions } from './csv-options.js';
import { openTable } from './csv-table.js';

/** A table being appended to: its file, its column order, and how values become text. */
interface Target {
  readonly file: string;
  readonly columns: readonly string[];
  /** Undefined where no sidecar declares the type: the JS value's own type decides. */
  readonly types: readonly (CanonicalType | undefined)[];
  readonly dialect: CsvDialect;
  /** The file does not end with a line break (a hand-made file): the first append must add one. */
  lineBreakDue: boolean;
}

function inferType(value: Value): CanonicalType {
  if (typeof value === 'bigint') return { kind: 'bigint' };
  if (typeof value === 'number') return { kind: 'float' };
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (value instanceof Uint8Array) return { kind: 'binary' };
  if (Array.isArray(value)) return { kind: 'multiselect' };
  return { kind: 'text' };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * csv-stringify options that keep NULL and '' apart: NULL is an unquoted empty field, '' a quoted
 * one (`quoted_match` on the empty string; `quoted_empty` would quote NULL too), and so are strings
 * that would read back as NULL (markers) or lose white space (trim). Any CR or LF is quoted.
 */
function stringifyOptions(dialect: CsvDialect, options: CsvOptions) {
  const quotedMatch: RegExp[] = [/^$/, ...options.nullMarkers.map((m) => new RegExp(`^${escapeRegExp(m)}$`))];
  if (options.trim) quotedMatch.push(/^\s|\s$/);
  return {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.escape,
    record_delimiter: '\n',
    quote_record_delimiter: true,
    quoted_match: quotedMatch,
    eof: true,
  };
}

/**
 * Writes UTF-8 CSV: `createTables` writes the header and the sidecar schema, `write` appends rows in
 * canonical text form. Files have no transactions (capabilities.atomicBatches is false) and no keys,
 * so upsert and delete are not supported.
 */
export class CsvWriter implements Writer {
  private readonly targets = new Map<string, Target>();
  private readonly dialect: CsvDialect;

  constructor(
    private readonly location: CsvLocation,
    private readonly options: CsvOptions,
  ) {
    if (options.quote === '') {
      throw new CrmError('CRM_C1003', 'writing CSV needs a quote character (without one, NULL and the empty string look alike)', {
        location: { connector: 'csv' },
      });
    }
    if (!options.header) {
      throw new CrmError('CRM_C1003', 'writing CSV needs header: true (crmbridge files always carry their header)', {
        location: { connector: 'csv' },
      });
    }
    this.dialect = { delimiter: options.delimiter ?? ',', quote: options.quote, escape: options.escape, trim: options.trim };
  }

  private headerText(table: TableSchema): string {
    return stringify([table.columns.map((c) => c.name)], stringifyOptions(this.dialect, this.options));
  }

  ddl(tables: readonly TableSchema[]): string[] {
    return tables.map((t) => `${basename(this.location.pathFor(t.name))}: ${this.headerText(t).trimEnd()}`);
  }

  async createTables(tables: readonly TableSchema[], options: CreateTableOptions = {}): Promise<void> {
    for (const table of tables) {
      const file = this.location.pathFor(table.name);
      if (existsSync(file) && !options.dropExisting) {
        if (options.ifNotExists === false) {
          throw new CrmError('CRM_C1003', `the file for table "${table.name}" already exists`, { location: { connector: 'csv', file } });
        }
        continue;
      }
      await writeFile(file, this.headerText(table));
      await writeSidecar(file, table);
      this.targets.delete(table.name);
    }
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (options.mode !== 'insert') {
      throw new CrmError('CRM_N2006', 'CSV files can only be appended to (mode insert)', { location: { connector: 'csv', table } });
    }
    const target = await this.target(table);
    const positions = batch.columns.map((name) => {
      const at = target.columns.indexOf(name);
      if (at === -1)
        throw new CrmError('CRM_S3002', `no column "${name}" in ${table}`, { location: { connector: 'csv', table, column: name } });
      return at;
    });
    const records = batch.rows.map((row) => {
      const record: (string | null)[] = new Array(target.columns.length).fill(null);
      for (let i = 0; i < positions.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) continue;
        const at = positions[i];
        const text = toCanonicalText(value, target.types[at] ?? inferType(value));
        // The reader rejects NUL bytes as corruption, so writing one would make a file crmbridge cannot read back.
        if (text?.includes('\0')) {
          throw new CrmError('CRM_R4013', 'a NUL character cannot be stored in a CSV file', {
            location: { connector: 'csv', table, column: target.columns[at] },
          });
        }
        record[at] = text;
      }
      return record;
    });
    const text = stringify(records, stringifyOptions(target.dialect, this.options));
    await appendFile(target.file, target.lineBreakDue ? `\n${text}` : text);
    target.lineBreakDue = false;
    return batch.rows.length;
  }

  async deleteByKeys(table: string): Promise<number> {
    throw new CrmError('CRM_N2006', 'rows cannot be deleted from a CSV file', { location: { connector: 'csv', table } });
  }

  async close(): Promise<void> {
    this.targets.clear();
  }

  private async target(table: string): Promise<Target> {
    const known = this.targets.get(table);
    if (known) return known;
    const file = await this.location.fileOf(table);
    const { format, sidecar } = await openTable(table, file, this.options);
    if (!format.encoding.utf8) {
      throw new CrmError('CRM_N2006', `appending to a ${format.encoding.name} file would mix encodings; write to a new file`, {
        location: { connector: 'csv', table, file },
      });
    }
    const target: Target = {
      file,
      columns: format.columns,
      types: format.columns.map((name) => sidecar?.columns.find((c) => c.name === name)?.type),
      dialect: format,
      lineBreakDue: await endsWithoutLineBreak(file),
    };
    this.targets.set(table, target);
    return target;
  }
}

async function endsWithoutLineBreak(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a && last[0] !== 0x0d;
  } finally {
    await handle.close();
  }
}
