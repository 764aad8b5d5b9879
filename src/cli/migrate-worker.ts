import { parentPort, workerData } from 'node:worker_threads';
import { openConnector } from '../connectors/registry.js';
import { serveChunks } from '../engine/migrate/chunk-worker.js';
import type { WorkerData } from '../engine/migrate/worker-pool.js';
import { loadCustomModules } from '../mapping/transforms/custom.js';
import { openStateStore } from '../state/index.js';
import type { MigrateWorkerOpen } from './migrate-workers.js';

/**
 * Entry script of a migrate worker thread (see engine/migrate/worker-pool.ts): opens its own
 * connections the way the CLI does and serves the engine's tasks.
 */
const { setup, open } = workerData as WorkerData & { open: MigrateWorkerOpen };
if (!parentPort) throw new Error('migrate-worker.js runs as a worker thread only');
await serveChunks(parentPort, setup, {
  source: () => openConnector(open.source.url, open.source.options),
  target: () => openConnector(open.target.url, open.target.options),
  state: () => openStateStore(open.stateFolder),
  ...(open.custom ? { customModules: () => loadCustomModules(open.custom!.pipelines, open.custom!.baseDir) } : {}),
});
