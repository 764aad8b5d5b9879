import type { PoolConfig } from 'pg';
import { CrmError } from '../../core/errors/index.js';
import type { ConnectionSpec } from '../contract.js';
import { takeTlsSettings, tlsOptions } from '../shared/tls-settings.js';
import { typeParsers } from './postgres-type-parsers.js';

/**
 * Everything the connector needs from a connection string, parsed once. The driver reads user,
 * password, database and other libpq parameters from the URL itself; the TLS parameters (sslmode,
 * sslrootcert, sslcert, sslkey) are ours (see tls-settings). Host and port are kept to name the
 * server in connection errors.
 */
export interface PostgresConfig {
  readonly pool: PoolConfig;
  /** The schema that table names refer to (`?schema=`), `public` by default. */
  readonly schema: string;
  readonly host: string;
  readonly port: number;
  /** The database the URL names (libpq's default: the user's name). */
  readonly database: string;
  /** The URL with the password masked, for logs and reports. */
  readonly displayName: string;
}

/**
 * Session settings that make the server's text output match the canonical forms: UTC for
 * timestamptz, ISO dates, hex bytea, and shortest round-trip floats. Sent as a startup
 * parameter, so they hold before the first query of every pooled connection.
 */
const SESSION_OPTIONS = ['TimeZone=UTC', 'DateStyle=ISO,YMD', 'IntervalStyle=postgres', 'bytea_output=hex', 'extra_float_digits=1']
  .map((setting) => `-c ${setting}`)
  .join(' ');

export function parsePostgresConfig(spec: ConnectionSpec): PostgresConfig {
  let url: URL;
  try {
    url = new URL(spec.resolved);
  } catch (cause) {
    throw new CrmError('CRM_C1001', `cannot parse the PostgreSQL URL ${spec.raw}`, { cause, location: { connector: 'postgres' } });
  }
  const schema = url.searchParams.get('schema') || 'public';
  // `schema` is ours, not libpq's: the driver must not see it.
  url.searchParams.delete('schema');
  const tls = takeTlsSettings(url, 'postgres');
  const host = decodeURIComponent(url.hostname) || 'localhost';
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  const masked = new URL(url.toString());
  if (masked.password) masked.password = '***';
  return {
    pool: {
      connectionString: url.toString(),
      ssl: tlsOptions(tls, host),
      options: SESSION_OPTIONS,
      application_name: 'crmbridge',
      // Long reads can idle on the socket while the consumer works; keepalives stop middleboxes
      // from dropping the connection meanwhile.
      keepAlive: true,
      types: typeParsers,
    },
    schema,
    host,
    port,
    database,
    displayName: masked.toString(),
  };
}
