import type { ConnectionSpec, Connector } from '../contract.js';
import { SqliteConnector, sqlitePath } from './sqlite-connector.js';

export async function open(spec: ConnectionSpec): Promise<Connector> {
  return new SqliteConnector(sqlitePath(spec.resolved));
}
