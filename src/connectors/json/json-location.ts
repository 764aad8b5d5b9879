import { existsSync, statSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { CrmError } from '../../core/errors/index.js';
import { isSidecar } from '../shared/sidecar-schema.js';

/** `lines`: one JSON object per line (.ndjson, .jsonl); `array`: one JSON array of objects (.json). */
export type JsonFormat = 'lines' | 'array';

const EXTENSIONS = ['.ndjson', '.jsonl', '.json'];
const DEFAULT_EXTENSION = '.ndjson';

/**
 * Where the tables of a JSON connection live: one file (its one table is named after the file)
 * or a folder (a table per data file, sidecars skipped). New tables in a folder get
 * `options.extension` (default .ndjson: appendable and streamable line by line).
 */
export class JsonLocation {
  readonly isFolder: boolean;
  private readonly extension: string;

  constructor(
    readonly path: string,
    options: Readonly<Record<string, unknown>> = {},
  ) {
    this.isFolder = existsSync(path) && statSync(path).isDirectory();
    const ext = typeof options.extension === 'string' ? `.${options.extension.replace(/^\./, '')}` : DEFAULT_EXTENSION;
    if (!EXTENSIONS.includes(ext)) throw new CrmError('CRM_C1003', `extension must be one of ${EXTENSIONS.join(', ')}`, { value: ext });
    this.extension = ext;
  }

  static fromSpec(resolved: string, options?: Readonly<Record<string, unknown>>): JsonLocation {
    return new JsonLocation(resolve(resolved), options);
  }

  /** Data files and their table names, in name order. */
  async tables(): Promise<{ name: string; file: string }[]> {
    if (!this.isFolder) {
      this.assertExists(this.path);
      return [{ name: tableName(this.path), file: this.path }];
    }
    const entries = await readdir(this.path, { withFileTypes: true });
    const seen = new Set<string>();
    const out: { name: string; file: string }[] = [];
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isFile() || isSidecar(entry.name) || !EXTENSIONS.includes(extname(entry.name).toLowerCase())) continue;
      const name = tableName(entry.name);
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, file: join(this.path, entry.name) });
    }
    return out;
  }

  /** The data file of an existing table; CRM_S3001 (folder) or CRM_C1004 (file) when there is none. */
  async existingFile(table: string): Promise<string> {
    const found = (await this.tables()).find((t) => t.name === table);
    if (!found) {
      throw new CrmError('CRM_S3001', `no JSON file for table ${table} in ${this.path}`, {
        location: { connector: 'json', table, file: this.path },
      });
    }
    return found.file;
  }

  /** The file a table is written to: its existing file, or a new one in the folder. A file connection has one. */
  fileForWrite(table: string): string {
    if (!this.isFolder) return this.path;
    const existing = EXTENSIONS.map((ext) => join(this.path, `${table}${ext}`)).find((f) => existsSync(f));
    return existing ?? join(this.path, `${table}${this.extension}`);
  }

  private assertExists(file: string): void {
    if (!existsSync(file)) throw new CrmError('CRM_C1004', `no JSON file at ${file}`, { location: { connector: 'json', file } });
  }
}

export function tableName(file: string): string {
  return basename(file, extname(file));
}

/** The format written to a file, by its extension. */
export function writeFormat(file: string): JsonFormat {
  return extname(file).toLowerCase() === '.json' ? 'array' : 'lines';
}

/**
 * The format of an existing file. A `.json` file is often NDJSON in disguise, so its first
 * significant character decides: `[` is an array, anything else is read line by line.
 */
export async function readFormat(file: string): Promise<JsonFormat> {
  if (writeFormat(file) === 'lines') return 'lines';
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(4096), position: 0 });
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('{') ? 'lines' : 'array';
  } finally {
    await handle.close();
  }
}
