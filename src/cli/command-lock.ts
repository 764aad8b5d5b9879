import type { TargetLock } from '../connectors/contract.js';
import type { ProjectLock } from '../state/state-store.js';
import type { ProjectContext } from './project-context.js';

/**
 * The locks a command that writes (migrate, repair, rollback, sync) holds while it runs, so two
 * such commands never run at once on one project, nor two projects on one target:
 * - the project lock in the state store (CRM_E6018 naming the command that holds it; the lock of
 *   a process that died is taken over, its runs shown `interrupted`);
 * - the target's lock, where its connector has one (PostgreSQL advisory lock, MySQL/MariaDB
 *   GET_LOCK; CRM_E6019), held on a session of its own until the command ends.
 * Read-only commands (plan, verify, runs, rejects) take none.
 */
export interface CommandLock {
  /** Marks the command as having ended normally and passes its result through. */
  succeeded<T>(result: T): T;
  /** Releases both locks; unless `succeeded` was called, runs left `running` become `failed`. */
  release(): Promise<void>;
}

export async function lockProject(ctx: ProjectContext, command: string): Promise<CommandLock> {
  const project: ProjectLock = await ctx.state.acquireLock(command);
  let target: TargetLock | undefined;
  try {
    target = await (await ctx.target()).lockTarget?.(command);
  } catch (err) {
    await project.release('ok');
    throw err;
  }
  let outcome: 'ok' | 'failed' = 'failed';
  return {
    succeeded: (result) => {
      outcome = 'ok';
      return result;
    },
    release: async () => {
      await target?.release();
      await project.release(outcome);
    },
  };
}

/** Runs `work` under the command's locks (see `lockProject`), released when it settles. */
export async function withProjectLock<T>(ctx: ProjectContext, command: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockProject(ctx, command);
  try {
    return lock.succeeded(await work());
  } finally {
    await lock.release();
  }
}
