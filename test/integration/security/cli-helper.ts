import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
const ENTRY = ['--import', import.meta.resolve('tsx'), resolve(ROOT, 'src/cli/main.ts')];

export interface CliResult {
  readonly code: number | null;
  readonly out: string;
}

/** Runs the CLI in a child process, as a user would, and returns its exit code and output. */
export function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [...ENTRY, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Starts the CLI in a child process without waiting; resolves when it exits. */
export function cliAsync(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<CliResult>((res) => child.on('close', (code) => res({ code, out })));
  return { pid: child.pid ?? -1, done };
}
