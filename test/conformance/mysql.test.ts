import { parseConnectionString } from '../../src/connectors/connection-string.js';
import { open } from '../../src/connectors/mysql/index.js';
import { freshMysql } from '../helpers/databases.js';
import { registerConnectorTests } from './register-connector-tests.js';

registerConnectorTests('mysql', async () => {
  const db = await freshMysql();
  if (!db) return undefined;
  const spec = parseConnectionString(db.url);
  return {
    connector: await open(spec),
    reopen: () => open(spec),
    cleanup: () => db.drop(),
  };
});
