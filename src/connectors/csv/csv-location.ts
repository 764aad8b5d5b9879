import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CrmError } from '../../core/errors/index.js';
import { isSidecar } from '../shared/sidecar-schema.js';

const DATA_EXTENSIONS = new Set(['.csv', '.tsv', '.txt']);

const tableOf = (file: string) => basename(file, extname(file));

/**
 * Where a CSV connection's tables live: one file (its table is the file name without extension) or a
 * folder of files (one table per `.csv`/`.tsv`/`.txt`, sidecars skipped; not recursive).
 */
export class CsvLocation {
  private constructor(
    readonly path: string,
    readonly isFolder: boolean,
  ) {}

  static resolve(path: string): CsvLocation {
    const isFolder = existsSync(path) && statSync(path).isDirectory();
    if (!isFolder && !DATA_EXTENSIONS.has(extname(path).toLowerCase())) {
      throw new CrmError('CRM_C1001', `"${path}" is neither a folder nor a .csv, .tsv or .txt file`, { location: { connector: 'csv' } });
    }
    if (!isFolder && !existsSync(dirname(path))) {
      throw new CrmError('CRM_C1004', `the folder of "${path}" does not exist`, { location: { connector: 'csv', file: path } });
    }
    return new CsvLocation(path, isFolder);
  }

  /** Existing tables, name → file. */
  async tables(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!this.isFolder) {
      if (existsSync(this.path)) out.set(tableOf(this.path), this.path);
      return out;
    }
    const entries = await readdir(this.path, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isFile() || isSidecar(entry.name) || !DATA_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
      const name = tableOf(entry.name);
      const existing = out.get(name);
      if (existing !== undefined) {
        throw new CrmError('CRM_C1003', `two files hold table "${name}": ${basename(existing)} and ${entry.name}; rename one`, {
          location: { connector: 'csv', file: this.path },
        });
      }
      out.set(name, join(this.path, entry.name));
    }
    return out;
  }

  async fileOf(table: string): Promise<string> {
    const file = (await this.tables()).get(table);
    if (file === undefined)
      throw new CrmError('CRM_S3001', `no file for table "${table}" in ${this.path}`, { location: { connector: 'csv', table } });
    return file;
  }

  /** The file a new table is written to. */
  pathFor(table: string): string {
    if (!this.isFolder) {
      if (table !== tableOf(this.path)) {
        throw new CrmError('CRM_C1003', `the file ${basename(this.path)} holds only table "${tableOf(this.path)}", not "${table}"`, {
          location: { connector: 'csv', table },
        });
      }
      return this.path;
    }
    if (table === '' || table === '.' || table === '..' || /[/\\\0]/.test(table)) {
      throw new CrmError('CRM_C1003', `"${table}" cannot be used as a file name`, { location: { connector: 'csv', table } });
    }
    return join(this.path, `${table}.csv`);
  }
}
