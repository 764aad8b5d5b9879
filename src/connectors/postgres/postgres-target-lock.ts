import { hostname } from 'node:os';
import { CrmError } from '../../core/errors/index.js';
import type { TargetLock } from '../contract.js';
import type { PostgresDatabase } from './postgres-database.js';
import { toCrmError } from './postgres-errors.js';

/** First key of crmbridge's advisory locks ('CRMB'); the second is the hash of the target schema. */
const LOCK_CLASS = 0x43524d42;

/**
 * The target lock on PostgreSQL: a session-level advisory lock on (crmbridge, hash of the
 * schema), on a session held for the run. The session's application_name names the command, so
 * a second command can say who holds it. Ending the session (or the process) drops the lock.
 */
export async function lockPostgresTarget(db: PostgresDatabase, command: string): Promise<TargetLock> {
  const client = await db.connectScan();
  try {
    const name = `crmbridge ${command} pid ${process.pid}@${hostname()}`.slice(0, 63);
    await client.query(`SELECT set_config('application_name', $1, false)`, [name]);
    const taken = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS, db.schema]);
    if (!taken.rows[0].ok) {
      const holder = await client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: string }>(
        `SELECT a.pid, a.application_name, a.client_addr::text, a.backend_start::text
         FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int4::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2`,
        [LOCK_CLASS, db.schema],
      );
      const h = holder.rows[0];
      const who = h
        ? `${h.application_name || 'a session'} (server pid ${h.pid}${h.client_addr ? ` from ${h.client_addr}` : ''}, since ${h.backend_start})`
        : 'another session';
      throw new CrmError('CRM_E6019', `schema ${db.schema} of the target is locked by ${who}; \`crmbridge ${command}\` was not started`, {
        location: { connector: 'postgres' },
      });
    }
  } catch (err) {
    client.release(true);
    throw err instanceof CrmError ? err : toCrmError(err, db.errorContext());
  }
  return {
    release: async () => {
      // Unlocked before the session ends (its backend exits asynchronously); destroying the
      // session also drops the application_name set for the lock.
      try {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, db.schema]);
      } finally {
        client.release(true);
      }
    },
  };
}
