import { readFile } from 'node:fs/promises';

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * Where a function's code lives decides which part of a migration it is charged to. First match
 * wins, so the connectors' own folders come before the drivers they wrap.
 */
const AREAS: readonly (readonly [area: string, pattern: RegExp])[] = [
  ['source read (mysql connector, mysql2)', /\/connectors\/mysql\/|\/node_modules\/(mysql2|iconv-lite|lru\.min|sqlstring|denque)\//],
  ['target write (postgres connector, pg)', /\/connectors\/postgres\/|\/node_modules\/(pg|pg-[a-z-]+|postgres-[a-z-]+)\//],
  ['transforms (mapping, libphonenumber, validator)', /\/mapping\/|\/node_modules\/(libphonenumber-js|validator)\//],
  ['state store (better-sqlite3)', /\/state\/|\/node_modules\/better-sqlite3\//],
  ['engine (batching, lookups, id maps, ledger)', /\/engine\//],
  ['other crmbridge', /\/dist\/|\/src\//],
  ['node internals (streams, buffers, timers)', /^node:/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['idle (waiting on the databases)', /^\((idle|program)\)$/],
];

const areaOf = (url: string, functionName: string): string =>
  AREAS.find(([, pattern]) => pattern.test(url || functionName))?.[0] ??
  (url ? 'other libraries' : 'V8 and native built-ins (RegExp, Buffer, module loading)');

/**
 * Self time per function and per area of one run's profiles (one per thread: `--cpu-prof` writes
 * the main thread's and each worker thread's), summed over the threads, largest first.
 */
export async function summariseProfiles(
  files: readonly string[],
  top = 15,
): Promise<{ functions: SelfTime[]; areas: SelfTime[]; totalMs: number; threads: number }> {
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      if (!frame) return;
      total += ms;
      const where = frame.url ? `${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
      const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
      functions.set(name, (functions.get(name) ?? 0) + ms);
      const area = areaOf(frame.url, frame.functionName);
      areas.set(area, (areas.get(area) ?? 0) + ms);
    });
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 }));
  return { functions: ranked(functions).slice(0, top), areas: ranked(areas), totalMs: total, threads: files.length };
}
