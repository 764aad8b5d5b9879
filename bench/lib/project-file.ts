import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, stringify } from 'yaml';

const SHIPPED_MAPPING = fileURLToPath(new URL('../../examples/legacy-to-modern/crmbridge.yaml', import.meta.url));

/**
 * The shipped legacy → modern mapping, unchanged but for its source and target, written as
 * `crmbridge.yaml` in `dir` (its state folder goes next to it). URLs carry `${env:…}` references
 * where they need a password: the project loader refuses a password written into the file.
 */
export async function writeShippedProject(dir: string, sourceUrl: string, targetUrl: string): Promise<string> {
  const doc = parseDocument(await readFile(SHIPPED_MAPPING, 'utf8'));
  doc.setIn(['source', 'url'], sourceUrl);
  doc.setIn(['target', 'url'], targetUrl);
  const file = join(dir, 'crmbridge.yaml');
  await writeFile(file, doc.toString());
  return file;
}

export interface IdentityTable {
  readonly table: string;
  readonly key: string;
  readonly columns: readonly string[];
}

/** A project that copies tables as they are (every column to its namesake): the loader's own cost, without transforms. */
export async function writeIdentityProject(
  dir: string,
  sourceUrl: string,
  targetUrl: string,
  tables: readonly IdentityTable[],
): Promise<string> {
  const objects = Object.fromEntries(
    tables.map((t) => [
      t.table,
      {
        source: { table: t.table, key: t.key },
        target: { table: t.table, key: t.key, generateKey: 'none' },
        fields: Object.fromEntries(t.columns.map((c) => [c, c])),
      },
    ]),
  );
  const file = join(dir, 'crmbridge.yaml');
  await writeFile(file, stringify({ version: 1, source: { url: sourceUrl }, target: { url: targetUrl }, objects }));
  return file;
}
