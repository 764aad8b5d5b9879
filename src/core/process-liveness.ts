import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lock: a process on a host. A lock left behind by a process that died (kill -9,
 * a crash, a closed terminal) is stale and may be taken over; liveness is checked here.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  /**
   * Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22), so a
   * pid reused by an unrelated process after the holder died does not keep the lock alive.
   */
  readonly startTicks?: string;
}

export function currentProcess(): ProcessIdentity {
  const startTicks = processStartTicks(process.pid);
  return { pid: process.pid, host: hostname(), ...(startTicks ? { startTicks } : {}) };
}

/**
 * Whether the process still runs. A process on another host cannot be checked and counts as
 * alive (a lock there is never taken over by guess).
 */
export function isProcessAlive(holder: ProcessIdentity): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const ticks = processStartTicks(holder.pid);
  return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
