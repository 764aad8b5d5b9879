import type { TargetLock } from '../connectors/contract.js';
import type { ProjectContext } from './project-context.js';

/**
 * Runs a command that writes (migrate, repair, rollback, sync) under the project's locks, so two
 * such commands never run at once on one project, nor two projects on one target:
 * - the project lock in the state store (CRM_E6018 naming the command that holds it; the lock of
 *   a process that died is taken over, its runs shown `interrupted`);
 * - the target's lock, where its connector has one (PostgreSQL advisory lock, MySQL/MariaDB
 *   GET_LOCK; CRM_E6019), held on a session of its own until the command ends.
 * Both are released when `work` settles; when it throws, runs it left `running` become `failed`.
 * Read-only commands (plan, verify, runs, rejects) take no lock.
 */
export async function withProjectLock<T>(ctx: ProjectContext, command: string, work: () => Promise<T>): Promise<T> {
  const project = await ctx.state.acquireLock(command);
  let target: TargetLock | undefined;
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    const connector = await ctx.target();
    target = await connector.lockTarget?.(command);
    const result = await work();
    outcome = 'ok';
    return result;
  } finally {
    await target?.release();
    await project.release(outcome);
  }
}
