import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSqliteSource } from '../../helpers/sqlite-source.js';

export interface TinyProject {
  readonly dir: string;
  readonly file: string;
}

/**
 * A project in a fresh temp folder: SQLite `source.db` with `people` (id, name, email; `bad` of
 * the rows with an invalid email) → `target.db` (created by the first migrate). `fields` replaces
 * the field mappings (`badEmails`: the invalid emails, in order) (YAML flow text), `extra` is appended to the file (top-level keys), `target`
 * replaces the target URL.
 */
export async function tinyProject(
  options: { rows?: number; bad?: number; badEmails?: readonly string[]; fields?: string; extra?: string; target?: string } = {},
): Promise<TinyProject> {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-tiny-'));
  const rows = options.rows ?? 6;
  const bad = options.bad ?? 0;
  await writeSqliteSource(join(dir, 'source.db'), {
    people: {
      columns: ['id', 'name', 'email'],
      rows: Array.from({ length: rows }, (_, i) => [
        String(i + 1),
        `Person ${i + 1}`,
        i < bad ? (options.badEmails?.[i] ?? `not-an-email-${i}`) : `p${i}@example.com`,
      ]),
    },
  });
  const fields = options.fields ?? '{ id: id, name: name, email: { from: email, transform: [email] } }';
  const file = join(dir, 'crmbridge.yaml');
  writeFileSync(
    file,
    [
      'source: { url: "sqlite:source.db" }',
      `target: { url: "${options.target ?? 'sqlite:target.db'}" }`,
      'objects:',
      '  people:',
      '    source: { table: people, key: id }',
      '    target: { table: people, key: id }',
      `    fields: ${fields}`,
      options.extra ?? '',
      '',
    ].join('\n'),
  );
  return { dir, file };
}
