import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time reports the peak RSS (ru_maxrss) of the largest process of the child's tree. */
const GNU_TIME = '/usr/bin/time';

export interface Measured {
  readonly seconds: number;
  /** Peak resident set of the largest process the command started, in MiB. */
  readonly peakRssMiB: number;
  /**
   * CPU seconds (user + system) of the command and the children it waited for; not the database
   * servers'. Less sensitive to a busy machine than wall time.
   */
  readonly cpuSeconds: number;
  /** 1-minute load average before and after: the machine is shared, so every number carries it. */
  readonly load: readonly [number, number];
  readonly stdout: string;
  readonly stderr: string;
}

export interface MeasureOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs a command to completion, timing its wall clock and reading its peak memory; a non-zero exit throws with the output's tail. */
export async function measureCommand(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<Measured> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed for peak memory (apt-get install time)`);
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-bench-time-'));
  const timeFile = join(dir, 'time');
  try {
    const loadBefore = loadavg()[0];
    const started = performance.now();
    const { code, stdout, stderr } = await run(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args], options);
    const seconds = (performance.now() - started) / 1000;
    const loadAfter = loadavg()[0];
    if (code !== 0) throw new Error(`${command} ${args.join(' ').slice(0, 200)} exited ${code}:\n${tail(stderr || stdout)}`);
    const [kib, user, system] = ((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    return { seconds, peakRssMiB: kib / 1024, cpuSeconds: user + system, load: [loadBefore, loadAfter], stdout, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a command and returns its exit code and output (kept whole: the callers parse summaries from it). */
export function run(
  command: string,
  args: readonly string[],
  options: MeasureOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
