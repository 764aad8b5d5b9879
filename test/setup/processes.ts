import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

export const exec = promisify(execFile);

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * The uid/gid to run a server as: `user` when we are root (PostgreSQL refuses to run as root),
 * else ourselves. Passed to spawn directly, so signals reach the server itself, not a wrapper.
 */
export async function runAs(user: string): Promise<{ uid?: number; gid?: number }> {
  if (!isRoot()) return {};
  const { stdout: uid } = await exec('id', ['-u', user]);
  const { stdout: gid } = await exec('id', ['-g', user]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Starts a long-running server process; its output is kept for the error message if it dies. */
export function startDaemon(
  command: string,
  args: string[],
  ids: { uid?: number; gid?: number } = {},
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

/** Polls `ready` until it resolves true, the process exits, or the time is up. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  child: ChildProcess,
  output: () => string,
  what: string,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${output()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready in ${ms} ms: ${output()}`);
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
