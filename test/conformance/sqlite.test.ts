import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openConnector } from '../../src/connectors/registry.js';
import { registerConnectorTests } from './register-connector-tests.js';

registerConnectorTests('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-sqlite-'));
  const file = join(dir, 'conformance.db');
  const url = `sqlite:${file}`;
  return {
    connector: await openConnector(url),
    reopen: () => openConnector(url),
    cleanup: () => rm(dir, { recursive: true, force: true }),
    // NOCASE folds ASCII case only: a < B < b … but 'é' and 'É' stay apart, after 'z'.
    createCollatedKeyTable: async (name) => {
      const db = new Database(file);
      try {
        db.exec(`CREATE TABLE "${name.replaceAll('"', '""')}" (code TEXT COLLATE NOCASE PRIMARY KEY, n INTEGER NOT NULL)`);
      } finally {
        db.close();
      }
    },
  };
});
