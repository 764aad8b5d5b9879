import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { exec, runAs, startDaemon, stopProcess, waitUntil } from './processes.js';
import type { TestCertificates } from './test-certificates.js';
import type { TestServer } from './test-server.js';

async function binDir(): Promise<string> {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) throw new Error('PostgreSQL binaries not found (apt-get install postgresql)');
  const versions = (await readdir(base)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  throw new Error('initdb not found under /usr/lib/postgresql/*/bin');
}

/**
 * A throwaway PostgreSQL cluster in a temp folder owned by `postgres` (initdb and postgres refuse
 * root), on a free loopback port, with logical replication on for the sync tests. Durability
 * settings are off: the cluster is thrown away after the run.
 */
export async function startPostgres(
  options: { tls?: (owner: { uid?: number; gid?: number }) => Promise<TestCertificates> } = {},
): Promise<TestServer> {
  if (process.env.CRMBRIDGE_TEST_PG_URL && !options.tls) return { url: process.env.CRMBRIDGE_TEST_PG_URL, stop: async () => {} };
  const bin = await binDir();
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-pg-'));
  const ids = await runAs('postgres');
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
    cwd: dir,
    ...ids,
  });
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    wal_level: 'logical',
    // Sync test files run in parallel and each keeps its slots until it ends (two-way keeps two per project).
    max_replication_slots: '100',
    max_wal_senders: '100',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    shared_buffers: '256MB',
  };
  // With TLS on: plain and encrypted sessions both allowed for password-less users (trust), and
  // `certuser` only over TLS with a client certificate signed by the test CA.
  const certificates = options.tls ? await options.tls(ids) : undefined;
  if (certificates) {
    Object.assign(settings, {
      ssl: 'on',
      ssl_cert_file: certificates.serverCert,
      ssl_key_file: certificates.serverKey,
      ssl_ca_file: certificates.ca,
    });
    const hba = join(data, 'pg_hba.conf');
    await writeFile(hba, `hostssl all certuser 127.0.0.1/32 cert\nhost all certuser 127.0.0.1/32 reject\n${await readFile(hba, 'utf8')}`);
  }
  const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const { child, output } = startDaemon(join(bin, 'postgres'), args, ids);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
      return true;
    },
    child,
    output,
    'PostgreSQL',
  );
  return {
    url,
    stop: async () => {
      await stopProcess(child, 'SIGINT');
      await rm(dir, { recursive: true, force: true });
      await certificates?.remove();
    },
  };
}
