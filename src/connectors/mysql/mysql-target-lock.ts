import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import { CrmError } from '../../core/errors/index.js';
import type { TargetLock } from '../contract.js';
import { translateMysqlError } from './mysql-errors.js';
import type { MysqlPool } from './mysql-pool.js';

/** User-level lock names are at most 64 characters. */
const MAX_LOCK_NAME = 64;

/**
 * The target lock on MySQL/MariaDB: the named lock `crmbridge:<database>` (GET_LOCK), held by a
 * session kept for the run. Ending the session (or the process) frees it.
 */
export async function lockMysqlTarget(pool: MysqlPool, command: string): Promise<TargetLock> {
  const full = `crmbridge:${pool.database}`;
  const name = full.length <= MAX_LOCK_NAME ? full : `crmbridge:${createHash('sha256').update(pool.database).digest('hex').slice(0, 40)}`;
  const session = await pool.acquireScan();
  try {
    const [taken] = await session.sql.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [name]);
    if (Number(taken[0].ok) !== 1) {
      const [holder] = await session.sql.query<RowDataPacket[]>(
        'SELECT p.ID AS id, p.USER AS user, p.HOST AS host, p.TIME AS seconds FROM information_schema.PROCESSLIST AS p WHERE p.ID = IS_USED_LOCK(?)',
        [name],
      );
      const h = holder[0];
      const who = h ? `connection ${h.id} of ${h.user} from ${h.host} (for ${h.seconds} s)` : 'another session';
      throw new CrmError(
        'CRM_E6019',
        `database ${pool.database} of the target is locked by another crmbridge command, ${who}; \`crmbridge ${command}\` was not started`,
        { location: { connector: 'mysql' } },
      );
    }
  } catch (err) {
    session.raw.destroy();
    throw err instanceof CrmError ? err : translateMysqlError(err);
  }
  return {
    release: async () => {
      // Released before the session ends: a server notices a closed connection only later.
      try {
        await session.sql.query('SELECT RELEASE_LOCK(?)', [name]);
      } finally {
        session.raw.destroy();
      }
    },
  };
}
