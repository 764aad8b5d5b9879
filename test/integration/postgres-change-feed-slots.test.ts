import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { dropWithSlots } from '../unit/sync/crm-fixture.js';

const dbs: FreshDatabase[] = [];
const opened: Connector[] = [];

afterAll(async () => {
  for (const c of opened) await c.close();
  for (const db of dbs) await dropWithSlots(db);
});

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Regression: the slot was named after the feed only (`crmbridge_main`), and slot names are
 * unique in the whole server. A second project whose source is another database of the same
 * server failed with "replication slot crmbridge_main was not created in this database".
 */
it('two source databases of one server each get their own replication slot for the same feed name', async (ctx) => {
  const [a, b] = [await freshPostgres(), await freshPostgres()];
  if (!a || !b) return ctx.skip();
  dbs.push(a, b);
  for (const db of [a, b]) await run(db.url, 'CREATE TABLE crm_lead (id bigint PRIMARY KEY, name text)');
  const feeds = [];
  for (const db of [a, b]) {
    const connector = await openConnector(db.url);
    opened.push(connector);
    const feed = connector.changes!({ name: 'main', tables: ['crm_lead'] });
    feeds.push({ feed, start: (await feed.prepare()).position });
  }
  await run(a.url, "INSERT INTO crm_lead VALUES (1, 'in a')");
  await run(b.url, "INSERT INTO crm_lead VALUES (2, 'in b')");
  const seen: string[][] = [];
  for (const { feed, start } of feeds) {
    const { head } = await feed.status();
    const keys: string[] = [];
    for await (const tx of feed.transactions(start, { until: head })) {
      for (const change of tx.changes) keys.push(String(change.after?.name));
    }
    seen.push(keys);
    await feed.close();
  }
  expect(seen).toEqual([['in a'], ['in b']]);
});
