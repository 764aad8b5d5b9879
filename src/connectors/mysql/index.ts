import type { ConnectionSpec, Connector } from '../contract.js';
import { MysqlConnector } from './mysql-connector.js';
import { MysqlPool, targetFromSpec } from './mysql-pool.js';

/** Opens `mysql://user:password@host:port/database` (or `mariadb://…`); connects once so bad credentials fail here. */
export async function open(spec: ConnectionSpec): Promise<Connector> {
  const target = targetFromSpec(spec);
  const pool = await MysqlPool.open(target);
  return new MysqlConnector(pool, target);
}
