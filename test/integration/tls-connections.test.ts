import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { CrmError } from '../../src/core/errors/index.js';
import { startMariadb } from '../setup/mariadb-server.js';
import { startPostgres } from '../setup/postgres-server.js';
import { makeTestCertificates, type TestCertificates } from '../setup/test-certificates.js';
import type { TestServer } from '../setup/test-server.js';

/**
 * Encrypted connections against throwaway servers started here with TLS on and a CA made by
 * `openssl`: the right CA passes, a wrong CA, a wrong host name and a server without TLS are
 * refused under verify-full, and a client certificate logs in a user the server admits only so.
 * The server certificate is issued for IP 127.0.0.1 only, so `localhost` is a wrong host name.
 */

let certificates: TestCertificates;
const servers: TestServer[] = [];
const opened: Connector[] = [];

/** Starts a server whose certificates are made for it, and keeps them for the URLs. */
function withCertificates(owner: { uid?: number; gid?: number }): Promise<TestCertificates> {
  return makeTestCertificates(owner).then((made) => {
    certificates = made;
    return made;
  });
}

async function open(url: string): Promise<Connector> {
  const connector = await openConnector(url);
  opened.push(connector);
  return connector;
}

async function refusal(url: string): Promise<CrmError> {
  const err = await open(url).then(
    (c) => c.introspect().then(() => undefined),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrmError);
  return err as CrmError;
}

/** The connector's change feed, read up to the head after `insert`, holds that insert into tls_probe. */
async function expectFeedToSee(connector: Connector, insert: () => Promise<void>): Promise<void> {
  const feed = connector.changes?.({ name: 'tls', tables: ['tls_probe'] });
  if (!feed) throw new Error(`the ${connector.name} connector has a change feed`);
  try {
    const { position } = await feed.prepare();
    await insert();
    const { head } = await feed.status();
    const seen = [];
    for await (const transaction of feed.transactions(position, { until: head })) seen.push(...transaction.changes);
    expect(seen.map((c) => c.table)).toEqual(['tls_probe']);
  } finally {
    await feed.drop();
    await feed.close();
  }
}

/** The shared test server (started without TLS) asked for verify-full: refused as such. */
async function refusedWithoutTls(which: 'pgUrl' | 'mysqlUrl', ctx: { skip(): void }): Promise<void> {
  const plain = inject(which);
  if (!plain) return ctx.skip();
  const url = new URL(plain);
  url.searchParams.set('sslmode', 'verify-full');
  url.searchParams.set('sslrootcert', certificates.ca);
  const err = await refusal(url.toString());
  expect(err.code).toBe('CRM_N2008');
}

/** The URL of `server` for `user`, on `host`, with `params`. */
function urlOf(server: TestServer, user: string, host: string, database: string, params: Record<string, string>): string {
  const url = new URL(server.url);
  url.username = user;
  url.password = user === 'crm' ? 'crm' : '';
  url.hostname = host;
  url.pathname = `/${database}`;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

afterAll(async () => {
  for (const c of opened) await c.close().catch(() => undefined);
  for (const s of servers) await s.stop();
});

describe('PostgreSQL over TLS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startPostgres({ tls: withCertificates });
    servers.push(server);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE ROLE certuser LOGIN SUPERUSER REPLICATION');
    await client.query('CREATE TABLE tls_probe (id bigint PRIMARY KEY, name text)');
    await client.end();
  });
  const clientCertificate = () => ({
    sslmode: 'verify-full',
    sslrootcert: certificates.ca,
    sslcert: certificates.clientCert,
    sslkey: certificates.clientKey,
  });
  const pgUrl = (host: string, params: Record<string, string>, user = 'postgres') => urlOf(server, user, host, 'postgres', params);

  /** Whether the session crmbridge holds open is encrypted, as the server sees it. */
  async function encrypted(): Promise<boolean[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ ssl: boolean }>(
      "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'crmbridge'",
    );
    await client.end();
    return rows.map((r) => r.ssl);
  }

  it('verify-full with the right CA connects, encrypted', async () => {
    const connector = await open(pgUrl('127.0.0.1', { sslmode: 'verify-full', sslrootcert: certificates.ca }));
    const schema = await connector.introspect({ tables: ['tls_probe'] });
    expect(schema.tables.map((t) => t.name)).toEqual(['tls_probe']);
    expect(await encrypted()).toContain(true);
    await connector.close();
  });

  it('verify-full refuses a certificate signed by another CA, naming the cause', async () => {
    const err = await refusal(pgUrl('127.0.0.1', { sslmode: 'verify-full', sslrootcert: certificates.otherCa }));
    expect(err.code).toBe('CRM_N2007');
    expect(err.message).toMatch(/not trusted/);
  });

  it('verify-full refuses a certificate not issued for the host name; verify-ca accepts it', async () => {
    const err = await refusal(pgUrl('localhost', { sslmode: 'verify-full', sslrootcert: certificates.ca }));
    expect(err.code).toBe('CRM_N2007');
    expect(err.message).toMatch(/not issued for the host/);
    expect(err.message).toMatch(/localhost/);
    const connector = await open(pgUrl('localhost', { sslmode: 'verify-ca', sslrootcert: certificates.ca }));
    await connector.introspect({ tables: ['tls_probe'] });
  });

  it('require encrypts without checking the certificate', async () => {
    const connector = await open(pgUrl('127.0.0.1', { sslmode: 'require' }));
    await connector.introspect({ tables: ['tls_probe'] });
    expect(await encrypted()).toContain(true);
  });

  it('verify-full refuses a server that offers no TLS', (ctx) => refusedWithoutTls('pgUrl', ctx));

  it('a client certificate logs in a user admitted only by certificate; its key never shows', async () => {
    const withCert = clientCertificate();
    const connector = await open(pgUrl('127.0.0.1', withCert, 'certuser'));
    await connector.introspect({ tables: ['tls_probe'] });
    const err = await refusal(pgUrl('127.0.0.1', { sslmode: 'verify-full', sslrootcert: certificates.ca }, 'certuser'));
    expect(err.code).toBe('CRM_N2002');
    // The key given inline (as from an ${env:…} reference) is a secret: masked wherever it appears.
    const { readFile } = await import('node:fs/promises');
    const key = await readFile(certificates.clientKey, 'utf8');
    const failing = await refusal(pgUrl('localhost', { ...withCert, sslkey: key }, 'certuser'));
    expect(`${failing.format()} ${JSON.stringify(failing)} ${connector.displayName}`).not.toContain(key.split('\n')[1]);
  });

  it('the change feed (logical replication) connects over TLS too', async () => {
    const withCert = clientCertificate();
    const connector = await open(pgUrl('127.0.0.1', withCert, 'certuser'));
    await expectFeedToSee(connector, async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query("INSERT INTO tls_probe VALUES (1, 'over TLS')");
      await client.end();
    });
  });
});

describe('MariaDB over TLS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startMariadb({ tls: withCertificates });
    servers.push(server);
    const conn = await mysql.createConnection(server.url);
    await conn.query('CREATE DATABASE tls_db');
    await conn.query('CREATE TABLE tls_db.tls_probe (id bigint PRIMARY KEY, name text)');
    await conn.end();
  });
  const myUrl = (host: string, params: Record<string, string>, user = 'crm') => urlOf(server, user, host, 'tls_db', params);
  const withCert = () => ({
    'ssl-mode': 'VERIFY_IDENTITY',
    'ssl-ca': certificates.ca,
    'ssl-cert': certificates.clientCert,
    'ssl-key': certificates.clientKey,
  });

  it('verify-full with the right CA and a client certificate logs in a user that requires one', async () => {
    const connector = await open(myUrl('127.0.0.1', withCert(), 'certuser'));
    const schema = await connector.introspect({ tables: ['tls_probe'] });
    expect(schema.tables.map((t) => t.name)).toEqual(['tls_probe']);
  });

  it('verify-full refuses another CA and a wrong host name; verify-ca accepts the host name', async () => {
    const wrongCa = await refusal(myUrl('127.0.0.1', { sslmode: 'verify-full', sslrootcert: certificates.otherCa }));
    expect(wrongCa.code).toBe('CRM_N2007');
    const wrongHost = await refusal(myUrl('localhost', { sslmode: 'verify-full', sslrootcert: certificates.ca }));
    expect(wrongHost.code).toBe('CRM_N2007');
    expect(wrongHost.message).toMatch(/localhost/);
    const connector = await open(myUrl('localhost', { sslmode: 'verify-ca', sslrootcert: certificates.ca }));
    await connector.introspect({ tables: ['tls_probe'] });
  });

  it('require encrypts without checking the certificate (the certificate-only user gets in)', async () => {
    const connector = await open(
      myUrl('127.0.0.1', { 'ssl-mode': 'REQUIRED', 'ssl-cert': certificates.clientCert, 'ssl-key': certificates.clientKey }, 'certuser'),
    );
    await connector.introspect({ tables: ['tls_probe'] });
  });

  it('the change feed (binlog) connects over TLS too, its certificate checked for the IP address', async () => {
    const connector = await open(myUrl('127.0.0.1', withCert(), 'certuser'));
    await expectFeedToSee(connector, async () => {
      const conn = await mysql.createConnection(server.url);
      await conn.query("INSERT INTO tls_db.tls_probe VALUES (1, 'over TLS')");
      await conn.end();
    });
  });

  it('verify-full refuses a server that offers no TLS', (ctx) => refusedWithoutTls('mysqlUrl', ctx));
});
