import { existsSync } from 'node:fs';
import { type FileHandle, open, writeFile } from 'node:fs/promises';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, RowBatch, TableSchema, Value } from '../../core/types.js';
import type { CreateTableOptions, WriteOptions, Writer } from '../contract.js';
import { readSidecar, writeSidecar } from '../shared/sidecar-schema.js';
import { columnTypes } from './json-decode.js';
import { jsonFragment } from './json-encode.js';
import { type JsonLocation, writeFormat } from './json-location.js';

const ARRAY_END = '\n]\n';
/** Bytes of ARRAY_END from its `]` on. */
const CLOSE_BRACKET_TAIL = 2;

/**
 * An open data file. NDJSON appends lines. An array file is kept valid after every batch: the
 * batch overwrites the closing `]` and writes a new one, so a crash between batches leaves a
 * readable file.
 */
interface OpenFile {
  readonly handle: FileHandle;
  readonly format: 'lines' | 'array';
  /** Array: byte offset of the closing `]`; lines: end of the file. */
  end: number;
  /** Array: whether it holds no element yet; lines: whether the last line lacks its newline. */
  flag: boolean;
}

/**
 * Writes tables as JSON files in canonical form. Files are not keyed stores: only inserts
 * (appends); upsert and delete throw CRM_N2006. `createTables` writes the sidecar schema, which
 * gives readers the exact types back.
 */
export class JsonWriter implements Writer {
  private readonly files = new Map<string, OpenFile>();
  private readonly schemas = new Map<string, Readonly<Record<string, CanonicalType>>>();

  constructor(private readonly location: JsonLocation) {}

  ddl(tables: readonly TableSchema[], options: CreateTableOptions = {}): string[] {
    return tables.map((t) => {
      const file = this.location.fileForWrite(t.name);
      const action = options.dropExisting ? 'replace' : 'create if missing';
      return `${action} ${file} (${writeFormat(file) === 'array' ? 'JSON array' : 'NDJSON'}) with sidecar schema: ${t.columns.map((c) => c.name).join(', ')}`;
    });
  }

  async createTables(tables: readonly TableSchema[], options: CreateTableOptions = {}): Promise<void> {
    for (const table of tables) {
      const file = this.location.fileForWrite(table.name);
      await this.closeFile(file);
      if (options.dropExisting || !existsSync(file)) await writeFile(file, writeFormat(file) === 'array' ? '[]\n' : '');
      await writeSidecar(file, table);
      this.schemas.set(table.name, columnTypes(table));
    }
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (options.mode !== 'insert') throw unsupported('upsert', table);
    if (batch.rows.length === 0) return 0;
    const path = this.location.fileForWrite(table);
    const types = await this.typesFor(table, path);
    const keys = batch.columns.map((c) => `${JSON.stringify(c)}:`);
    const colTypes = batch.columns.map((c) => types[c]);
    // Encoded in full before any byte is written: a value that cannot be encoded fails the batch cleanly.
    const records = batch.rows.map((row: readonly Value[]) => {
      let text = '{';
      for (let c = 0; c < keys.length; c++) text += `${c > 0 ? ',' : ''}${keys[c]}${jsonFragment(row[c], colTypes[c], batch.columns[c])}`;
      return `${text}}`;
    });
    const file = await this.openFile(path);
    if (file.format === 'lines') {
      const text = `${file.flag ? '\n' : ''}${records.join('\n')}\n`;
      const { bytesWritten } = await file.handle.write(text, file.end, 'utf8');
      file.end += bytesWritten;
      file.flag = false;
    } else {
      const text = `${file.flag ? '\n' : ',\n'}${records.join(',\n')}${ARRAY_END}`;
      const { bytesWritten } = await file.handle.write(text, file.end, 'utf8');
      await file.handle.truncate(file.end + bytesWritten);
      file.end += bytesWritten - CLOSE_BRACKET_TAIL;
      file.flag = false;
    }
    return batch.rows.length;
  }

  async deleteByKeys(table: string): Promise<number> {
    throw unsupported('delete', table);
  }

  async close(): Promise<void> {
    for (const path of [...this.files.keys()]) await this.closeFile(path);
  }

  private async typesFor(table: string, path: string): Promise<Readonly<Record<string, CanonicalType>>> {
    let types = this.schemas.get(table);
    if (!types) {
      const sidecar = await readSidecar(path);
      types = sidecar ? columnTypes(sidecar) : {};
      this.schemas.set(table, types);
    }
    return types;
  }

  private async openFile(path: string): Promise<OpenFile> {
    const cached = this.files.get(path);
    if (cached) return cached;
    const format = writeFormat(path);
    const handle = await open(path, existsSync(path) ? 'r+' : 'w+');
    try {
      const { size } = await handle.stat();
      const last = await tail(handle, size, 256);
      let file: OpenFile;
      if (format === 'lines') file = { handle, format, end: size, flag: size > 0 && !last.endsWith('\n') };
      else if (last.trim() === '') {
        // A new or blank array file: start the array; the first batch writes its first element.
        await handle.write('[', 0);
        await handle.truncate(1);
        file = { handle, format, end: 1, flag: true };
      } else file = arrayEnd(handle, path, size, last);
      this.files.set(path, file);
      return file;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  private async closeFile(path: string): Promise<void> {
    const file = this.files.get(path);
    this.files.delete(path);
    await file?.handle.close();
  }
}

async function tail(handle: FileHandle, size: number, length: number): Promise<string> {
  const start = Math.max(0, size - length);
  const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(size - start), position: start });
  return buffer.subarray(0, bytesRead).toString('latin1');
}

/** Finds the closing `]` of an existing array file from its last bytes. */
function arrayEnd(handle: FileHandle, path: string, size: number, end: string): OpenFile {
  const close = end.lastIndexOf(']');
  if (close < 0 || end.slice(close + 1).trim() !== '') {
    throw new CrmError('CRM_R4004', `${path} does not end with a JSON array; cannot append to it`, {
      location: { connector: 'json', file: path },
    });
  }
  const empty = end.slice(0, close).trimEnd().endsWith('[');
  return { handle, format: 'array', end: size - end.length + close, flag: empty };
}

function unsupported(what: string, table: string): CrmError {
  return new CrmError('CRM_N2006', `JSON files are not keyed stores: ${what} is not supported (insert appends)`, {
    location: { connector: 'json', table },
  });
}
