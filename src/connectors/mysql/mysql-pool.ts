import { isIP } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import mysql, { type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import type { PoolConnection as PromiseConnection } from 'mysql2/promise';
import { CrmError, registerSecret } from '../../core/errors/index.js';
import type { ConnectionSpec } from '../contract.js';
import { type TlsSettings, takeTlsSettings } from '../shared/tls-settings.js';
import { ColumnEncodings } from './mysql-charsets.js';
import { translateMysqlError } from './mysql-errors.js';
import { parseServerVersion, type ServerFlavour } from './mysql-flavour.js';
import { ZeroDatePolicy } from './mysql-zero-dates.js';

/**
 * Every session is pinned to UTC and to strict SQL, whatever the server defaults: a TIMESTAMP
 * then reads as UTC, and an out-of-range or truncated value is an error rather than a warning
 * (LOAD DATA LOCAL is the exception: it implies IGNORE, see mysql-load-data).
 */
const SESSION_SETUP =
  "SET time_zone = '+00:00', " +
  "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

/** A pooled connection with both APIs: callbacks (for `.stream()` and LOAD DATA) and promises. */
export interface Session {
  readonly raw: PoolConnection;
  readonly sql: PromiseConnection;
}

export interface MysqlTarget {
  readonly options: PoolOptions;
  /** `mysql://user:***@host:port/db`, safe for logs. */
  readonly displayName: string;
  readonly database: string;
  /** verify-full to an IP address: the address each session's certificate must be issued for. */
  readonly checkIdentityOf?: string;
  /** What zero dates read as (connector options `zeroDate`, `zeroDates`). */
  readonly zeroDates: ZeroDatePolicy;
  /** The encodings crmbridge decodes text columns in (connector option `charsets`). */
  readonly encodings: ColumnEncodings;
}

/** `mysql://user:pass@host:port/db` or `mariadb://…` → pool options. The password is registered as a secret. */
export function targetFromSpec(spec: ConnectionSpec): MysqlTarget {
  let url: URL;
  try {
    url = new URL(spec.resolved);
  } catch (cause) {
    throw new CrmError('CRM_C1001', `cannot parse the URL ${spec.raw}`, { cause });
  }
  const password = decodeURIComponent(url.password);
  registerSecret(password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const tls = takeTlsSettings(url, 'mysql');
  if (!database) throw new CrmError('CRM_C1001', `the URL ${spec.raw} names no database (mysql://user@host/database)`);
  const masked = new URL(url.toString());
  if (masked.password) masked.password = '***';
  return {
    database,
    zeroDates: new ZeroDatePolicy(spec.options),
    encodings: new ColumnEncodings(spec.options),
    displayName: masked.toString(),
    ...(tls?.mode === 'verify-full' && isIP(url.hostname) ? { checkIdentityOf: url.hostname } : {}),
    options: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password,
      database,
      charset: 'UTF8MB4_BIN',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      timezone: 'Z',
      connectionLimit: 8,
      connectTimeout: 10_000,
      ...sslOptions(tls, url.hostname),
    },
  };
}

/**
 * mysql2's form of the TLS settings: it checks the host name only when asked (verifyIdentity),
 * and for a host given as an IP address it checks the name `localhost` instead; such a host is
 * checked by `MysqlPool` itself on each new session (see `checkIdentity`).
 */
function sslOptions(tls: TlsSettings | undefined, host: string): Pick<PoolOptions, 'ssl'> {
  if (!tls || tls.mode === 'disable') return {};
  return {
    ssl: {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      rejectUnauthorized: tls.mode !== 'require',
      verifyIdentity: tls.mode === 'verify-full' && !isIP(host),
    },
  };
}

const identityChecked = new WeakSet<PoolConnection>();

/**
 * Whether the certificate a mysql2 connection was given is not issued for `address` (the error),
 * or undefined. A resumed TLS session shows no certificate: it was issued by a full handshake
 * with the same settings object (mysql2 caches sessions per `ssl` object), which was checked.
 */
export function certificateMismatch(connection: unknown, address: string): Error | undefined {
  const socket = (connection as { stream?: TLSSocket } | undefined)?.stream;
  if (!socket || socket.isSessionReused()) return undefined;
  return checkServerIdentity(address, socket.getPeerCertificate());
}

/** A pooled session; under verify-full to an IP address, its certificate is checked for that address first. */
async function connectionFrom(pool: Pool, checkIdentityOf: string | undefined): Promise<PoolConnection> {
  const conn = await new Promise<PoolConnection>((resolve, reject) =>
    pool.getConnection((err, c) => (err ? reject(translateMysqlError(err)) : resolve(c))),
  );
  if (checkIdentityOf === undefined || identityChecked.has(conn)) return conn;
  const mismatch = certificateMismatch(conn, checkIdentityOf);
  if (mismatch) {
    conn.destroy();
    throw translateMysqlError(mismatch);
  }
  identityChecked.add(conn);
  return conn;
}

/**
 * The pools plus per-session setup, server flavour detection and error translation.
 *
 * Scans (streamed reads, checksum snapshots) hold their session while their consumer works, and
 * the consumer looks keys up meanwhile (joins, lookups). They therefore take sessions from a pool
 * of their own, with no limit (their number is bounded by the engine's parallelism): statements
 * never wait behind open scans, which with as many scans as pooled sessions would wait forever.
 */
export class MysqlPool {
  private readonly initialised = new WeakSet<PoolConnection>();

  private constructor(
    private readonly pool: Pool,
    private readonly scans: Pool,
    readonly flavour: ServerFlavour,
    readonly database: string,
    private readonly checkIdentityOf: string | undefined,
  ) {}

  /** Connects once (so a wrong password fails here, as CRM_N2002) and reads the server version. */
  static async open(target: MysqlTarget): Promise<MysqlPool> {
    const pool = mysql.createPool(target.options);
    try {
      const conn = await connectionFrom(pool, target.checkIdentityOf);
      try {
        const [rows] = await conn.promise().query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
        const scans = mysql.createPool({ ...target.options, connectionLimit: 0 });
        return new MysqlPool(pool, scans, parseServerVersion(String(rows[0].v)), target.database, target.checkIdentityOf);
      } finally {
        conn.release();
      }
    } catch (err) {
      await new Promise<void>((resolve) => pool.end(() => resolve()));
      throw translateMysqlError(err);
    }
  }

  /** A session for statements that release it at once (see `withSession`). */
  acquire(): Promise<Session> {
    return this.sessionFrom(this.pool);
  }

  /** A session for a scan or snapshot that stays open while its consumer does other work. */
  acquireScan(): Promise<Session> {
    return this.sessionFrom(this.scans);
  }

  private async sessionFrom(pool: Pool): Promise<Session> {
    const raw = await connectionFrom(pool, this.checkIdentityOf);
    const session: Session = { raw, sql: raw.promise() };
    if (!this.initialised.has(raw)) {
      try {
        await session.sql.query(SESSION_SETUP);
      } catch (err) {
        raw.destroy();
        throw translateMysqlError(err);
      }
      this.initialised.add(raw);
    }
    return session;
  }

  /** Runs `work` on a session and releases it; a session whose state is unknown after an error is destroyed. */
  async withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const session = await this.acquire();
    try {
      const result = await work(session);
      session.raw.release();
      return result;
    } catch (err) {
      session.raw.destroy();
      throw err;
    }
  }

  async end(): Promise<void> {
    await Promise.all([this.pool, this.scans].map((pool) => new Promise<void>((resolve) => pool.end(() => resolve()))));
  }
}
