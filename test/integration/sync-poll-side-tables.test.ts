import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runMigrate } from '../../src/cli/commands/migrate-command.js';
import { runSync } from '../../src/cli/commands/sync-command.js';
import { runVerify } from '../../src/cli/commands/verify-command.js';
import { quietly, writeSampleProject } from '../helpers/sample-project.js';

const POLL_ONCE = {
  once: true,
  mode: 'poll',
  feed: 'main',
  lookback: '0',
  interval: '1000',
  lagWarnMb: '1024',
  statusEvery: '60',
  json: true,
};

/**
 * Issue 13 item 1.5: in poll mode a change made only in a table an object reads besides its own
 * (a contact's primary e-mail lives in `email_addresses`, reached through `email_addr_bean_rel`;
 * custom fields in `accounts_cstm`) reaches the target, with no updatedAt column touched, and
 * so does a relation row that is deleted.
 */
describe('poll-mode sync watches joined side tables and lookup tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-poll-side-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an e-mail edited in the lookup table, a custom field in the side table and a deleted relation reach the target', async () => {
    const project = await writeSampleProject(dir, { contacts: 200, seed: 9 });
    const spec = parse(readFileSync(project, 'utf8')) as { objects: Record<string, { sync?: unknown }> };
    for (const object of Object.values(spec.objects)) object.sync = { updatedAt: { source: 'date_modified' } };
    writeFileSync(project, stringify(spec));
    expect(await quietly(() => runMigrate({ project, json: true }))).toBe(3);
    expect(await quietly(() => runSync({ project, ...POLL_ONCE }))).toBe(0);

    const legacy = new Database(join(dir, 'legacy.db'));
    const primary = legacy
      .prepare(
        `SELECT r.bean_id AS contact, r.email_address_id AS address FROM email_addr_bean_rel r
         JOIN contacts c ON c.id = r.bean_id AND c.deleted = 0
         JOIN email_addresses e ON e.id = r.email_address_id AND e.deleted = 0
         WHERE r.bean_module = 'Contacts' AND r.deleted = 0 AND r.primary_address = 1 ORDER BY r.bean_id LIMIT 2`,
      )
      .all() as { contact: string; address: string }[];
    expect(primary.length).toBe(2);
    // Only the side tables change: no date_modified of a base row moves.
    legacy.prepare("UPDATE email_addresses SET email_address = 'moved.here@example.org' WHERE id = ?").run(primary[0].address);
    legacy.prepare("DELETE FROM email_addr_bean_rel WHERE bean_id = ? AND bean_module = 'Contacts'").run(primary[1].contact);
    const account = legacy.prepare('SELECT id_c AS id FROM accounts_cstm ORDER BY id_c LIMIT 1').get() as { id: string };
    legacy.prepare("UPDATE accounts_cstm SET region_c = 'Side table region' WHERE id_c = ?").run(account.id);
    legacy.close();

    expect(await quietly(() => runSync({ project, ...POLL_ONCE }))).toBe(0);
    const modern = new Database(join(dir, 'modern.db'), { readonly: true });
    const email = (id: string) => (modern.prepare('SELECT primary_email AS e FROM people WHERE id = ?').get(id) as { e: string | null }).e;
    expect(email(primary[0].contact)).toBe('moved.here@example.org');
    expect(email(primary[1].contact)).toBeNull();
    expect(modern.prepare('SELECT region FROM companies WHERE id = ?').get(account.id)).toEqual({ region: 'Side table region' });
    modern.close();
    expect(await quietly(() => runVerify({ project, json: true }))).toBe(0);
  }, 180_000);
});
