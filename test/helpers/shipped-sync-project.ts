import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { openConnector } from '../../src/connectors/registry.js';
import { writeLegacyCrm } from '../../src/sample/index.js';

const SHIPPED_MAPPING = resolve(import.meta.dirname, '../../examples/legacy-to-modern/crmbridge.yaml');

/**
 * The shipped mapping over a sample legacy CRM written into a server source (PostgreSQL or
 * MariaDB), targeting `targetUrl`, with `sync` (default `{}`) declared on every object: the
 * project the sync bug reports were made with. Returns the project file's path.
 */
export async function writeShippedSyncProject(
  dir: string,
  urls: { readonly source: string; readonly target: string },
  sample: { readonly contacts: number; readonly seed: number },
  sync: (object: string) => Record<string, unknown> = () => ({}),
): Promise<string> {
  const legacy = await openConnector(urls.source);
  const writer = await legacy.writer();
  await writeLegacyCrm(writer, sample);
  await writer.close();
  await legacy.close();
  const project = parse(readFileSync(SHIPPED_MAPPING, 'utf8')) as {
    source: { url: string };
    target: { url: string };
    objects: Record<string, { sync?: unknown }>;
  };
  project.source.url = withPasswordRef(urls.source, 'CRMBRIDGE_TEST_SOURCE_PASSWORD');
  project.target.url = withPasswordRef(urls.target, 'CRMBRIDGE_TEST_TARGET_PASSWORD');
  for (const [name, object] of Object.entries(project.objects)) object.sync = sync(name);
  // The sample's soft-delete flags are booleans on PostgreSQL, integers elsewhere.
  const text = urls.source.startsWith('postgres')
    ? stringify(project).replaceAll(/deleted(:| =) 0\b/g, 'deleted$1 false')
    : stringify(project);
  const file = join(dir, 'crmbridge.yaml');
  writeFileSync(file, text);
  return file;
}

/** A project file refuses written passwords: the password goes to an environment variable the URL names. */
function withPasswordRef(url: string, variable: string): string {
  const parsed = new URL(url);
  if (!parsed.password) return url;
  process.env[variable] = decodeURIComponent(parsed.password);
  return url.replace(`:${parsed.password}@`, `:\${env:${variable}}@`);
}
