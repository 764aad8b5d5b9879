import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkerSpawn } from '../engine/migrate/worker-pool.js';

/** What a migrate worker needs to open its own connections: plain data, secrets only as `${env:…}` references. */
export interface MigrateWorkerOpen {
  readonly source: { readonly url: string; readonly options?: Readonly<Record<string, unknown>> };
  readonly target: { readonly url: string; readonly options?: Readonly<Record<string, unknown>> };
  readonly stateFolder: string;
  /** The transform pipelines naming custom modules, and the folder their paths are relative to. */
  readonly custom?: { readonly pipelines: readonly (readonly unknown[])[]; readonly baseDir: string };
}

/** The migrate worker entry script (see `workerScript`), with what it opens. */
export function migrateWorkers(open: MigrateWorkerOpen): WorkerSpawn {
  return { script: workerScript('migrate-worker'), data: open };
}

/**
 * A worker entry script next to this module: the compiled .js in a build, the .ts file when
 * crmbridge runs from its sources (tests, benchmarks), loaded through tsx like the caller.
 */
export function workerScript(name: string): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL(`./${name}.js`, import.meta.url);
  // From the sources: a one-line module that imports the .ts entry through tsx (a dev dependency,
  // resolved from here, not from the run's working directory).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const bootstrap = `import { tsImport } from ${JSON.stringify(tsx)}; await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
