import pg from 'pg';
import { open } from '../../src/connectors/postgres/index.js';
import { freshPostgres } from '../helpers/databases.js';
import { registerConnectorTests } from './register-connector-tests.js';

const openUrl = (url: string) => open({ raw: url, resolved: url, kind: 'postgres' });

registerConnectorTests('postgres', async () => {
  const db = await freshPostgres();
  if (!db) return undefined;
  return {
    connector: await openUrl(db.url),
    reopen: () => openUrl(db.url),
    cleanup: () => db.drop(),
    // The cluster's default is C (bytes); ICU's root collation orders a < A < b < B < é.
    createCollatedKeyTable: async (name) => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await client.query(`CREATE TABLE ${pg.escapeIdentifier(name)} (code text COLLATE "und-x-icu" PRIMARY KEY, n integer NOT NULL)`);
      } finally {
        await client.end();
      }
    },
  };
});
