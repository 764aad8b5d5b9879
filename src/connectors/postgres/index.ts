import type { ConnectionSpec, Connector } from '../contract.js';
import { parsePostgresConfig } from './postgres-config.js';
import { PostgresConnector } from './postgres-connector.js';

/** Opens a PostgreSQL connector; fails here (CRM_N2001/N2002/N2003) when the server or database is unreachable. */
export async function open(spec: ConnectionSpec): Promise<Connector> {
  const connector = new PostgresConnector(parsePostgresConfig(spec));
  try {
    await connector.ping();
  } catch (err) {
    await connector.close();
    throw err;
  }
  return connector;
}
