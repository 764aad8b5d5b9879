import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './free-port.js';
import { exec, runAs, startDaemon, stopProcess, waitUntil } from './processes.js';
import type { TestCertificates } from './test-certificates.js';
import type { TestServer } from './test-server.js';

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((p) => existsSync(p));

/**
 * A throwaway MariaDB in a temp folder owned by `mysql`, on a free loopback port, with the
 * binary log in ROW format (full row images and metadata, for the sync tests) and
 * LOAD DATA LOCAL allowed. A user `crm` (password `crm`) with all privileges is created.
 * `binlog: false` starts one of its own without the binary log (never the shared server).
 */
export async function startMariadb(
  options: { readonly binlog?: boolean; tls?: (owner: { uid?: number; gid?: number }) => Promise<TestCertificates> } = {},
): Promise<TestServer> {
  const binlog = options.binlog ?? true;
  if (binlog && !options.tls && process.env.CRMBRIDGE_TEST_MYSQL_URL)
    return { url: process.env.CRMBRIDGE_TEST_MYSQL_URL, stop: async () => {} };
  if (!MARIADBD || !existsSync('/usr/bin/mariadb-install-db'))
    throw new Error('MariaDB binaries not found (apt-get install mariadb-server)');
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-mariadb-'));
  const ids = await runAs('mysql');
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  await exec('/usr/bin/mariadb-install-db', [
    '--no-defaults',
    `--datadir=${data}`,
    '--user=mysql',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  const port = await freePort();
  const certificates = options.tls ? await options.tls(ids) : undefined;
  const tlsArgs = certificates
    ? [`--ssl-ca=${certificates.ca}`, `--ssl-cert=${certificates.serverCert}`, `--ssl-key=${certificates.serverKey}`]
    : [];
  const { child, output } = startDaemon(MARIADBD, [
    '--no-defaults', // must come first
    ...tlsArgs,
    `--datadir=${data}`,
    '--user=mysql',
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    ...(binlog ? [`--log-bin=${join(dir, 'binlog')}`, '--binlog-format=ROW', '--binlog-row-image=FULL', '--binlog-row-metadata=FULL'] : []),
    '--server-id=1',
    '--local-infile=1',
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-buffer-pool-size=256M',
    '--sync-binlog=0',
    '--max-connections=300',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_bin',
    '--skip-name-resolve',
  ]);
  await waitUntil(
    async () => {
      const conn = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await conn.query("CREATE USER IF NOT EXISTS 'crm'@'%' IDENTIFIED BY 'crm'");
      await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'crm'@'%' WITH GRANT OPTION");
      // With TLS on, `certuser` logs in only with a client certificate signed by the test CA.
      if (certificates) {
        await conn.query("CREATE USER IF NOT EXISTS 'certuser'@'%' REQUIRE SUBJECT '/CN=certuser'");
        await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'certuser'@'%'");
      }
      await conn.end();
      return true;
    },
    child,
    output,
    'MariaDB',
  );
  return {
    url: `mysql://crm:crm@127.0.0.1:${port}/mysql`,
    stop: async () => {
      await stopProcess(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
      await certificates?.remove();
    },
  };
}
