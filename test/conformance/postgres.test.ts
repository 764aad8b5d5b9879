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
  };
});
