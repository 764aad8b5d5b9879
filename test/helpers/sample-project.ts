import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openConnector } from '../../src/connectors/registry.js';
import { writeLegacyCrm } from '../../src/sample/index.js';

const SHIPPED_MAPPING = resolve(import.meta.dirname, '../../examples/legacy-to-modern/crmbridge.yaml');

/**
 * The demo's project in `dir`: the sample legacy CRM written to `legacy.db` (SQLite) and the
 * shipped mapping as `crmbridge.yaml` (it targets `modern.db` beside it). Returns the project file.
 */
export async function writeSampleProject(dir: string, sample: { contacts: number; seed: number }): Promise<string> {
  const legacy = await openConnector(`sqlite:${join(dir, 'legacy.db')}`);
  const writer = await legacy.writer();
  await writeLegacyCrm(writer, sample);
  await writer.close();
  await legacy.close();
  const project = join(dir, 'crmbridge.yaml');
  copyFileSync(SHIPPED_MAPPING, project);
  return project;
}

/** Runs a CLI command function with its stdout (tables, JSON events) silenced, so test output stays readable. */
export async function quietly<T>(command: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    return await command();
  } finally {
    process.stdout.write = write;
  }
}
