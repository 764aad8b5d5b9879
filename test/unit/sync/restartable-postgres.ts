import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../setup/free-port.js';
import { exec, runAs, startDaemon, stopProcess, waitUntil } from '../../setup/processes.js';

/**
 * A throwaway PostgreSQL cluster (wal_level=logical) that a test can restart, keeping its data:
 * the shared test server cannot be restarted under the other test files.
 */
export interface RestartablePostgres {
  readonly url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function restartablePostgres(): Promise<RestartablePostgres | undefined> {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const version = (await readdir(base)).sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(join(base, v, 'bin', 'initdb')));
  if (!version) return undefined;
  const bin = join(base, version, 'bin');
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-pg-restart-'));
  const ids = await runAs('postgres');
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
    cwd: dir,
    ...ids,
  });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    'wal_level=logical',
    'max_replication_slots=10',
    'max_wal_senders=10',
    'fsync=off',
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    const daemon = startDaemon(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], ids);
    child = daemon.child;
    await waitUntil(
      async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.end();
        return true;
      },
      daemon.child,
      daemon.output,
      'PostgreSQL',
    );
  };
  await start();
  return {
    url,
    restart: async () => {
      if (child) await stopProcess(child, 'SIGINT');
      await start();
    },
    stop: async () => {
      if (child) await stopProcess(child, 'SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
