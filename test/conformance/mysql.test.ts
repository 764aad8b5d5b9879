import mysql from 'mysql2/promise';
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
    // The database default is utf8mb4_bin (bytes); legacy CRMs keep case- and accent-insensitive keys.
    createCollatedKeyTable: async (name) => {
      const conn = await mysql.createConnection(db.url);
      try {
        await conn.query(
          `CREATE TABLE ${mysql.escapeId(name)} (code varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PRIMARY KEY, n int NOT NULL)`,
        );
      } finally {
        await conn.end();
      }
    },
  };
});
