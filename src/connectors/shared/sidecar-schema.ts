import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { TableSchema } from '../../core/types.js';

/**
 * Files hold only text, so a file written by crmbridge gets a sidecar `<data file>.crmbridge-schema.json`
 * with its canonical TableSchema; introspecting the file later gives the exact types back. Folder
 * readers skip sidecars. A file without a sidecar (a user's export) has types inferred or declared.
 */
export const SIDECAR_SUFFIX = '.crmbridge-schema.json';

export function sidecarPath(dataFile: string): string {
  return `${dataFile}${SIDECAR_SUFFIX}`;
}

export function isSidecar(path: string): boolean {
  return path.endsWith(SIDECAR_SUFFIX);
}

export async function readSidecar(dataFile: string): Promise<TableSchema | undefined> {
  const path = sidecarPath(dataFile);
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as TableSchema;
}

export async function writeSidecar(dataFile: string, table: TableSchema): Promise<void> {
  await writeFile(sidecarPath(dataFile), `${JSON.stringify(table, null, 2)}\n`);
}
