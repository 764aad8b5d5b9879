/**
 * Child process for crash.test.ts: commits two batches, then kills itself with SIGKILL the moment
 * the second `commitBatch` returns — no close, no exit handlers, nothing flushed after the return.
 */
import { openStateStore } from '../../../src/state/index.js';

const [folder, runId] = process.argv.slice(2);
if (!folder || !runId) throw new Error('usage: crash-writer <folder> <runId>');

const store = await openStateStore(folder);
await store.createRun({ id: runId, kind: 'migrate', dryRun: false, planHash: 'plan-crash', options: {} });
for (const n of [100, 200]) {
  await store.commitBatch(runId, {
    object: 'contacts',
    pass: 1,
    checkpoint: {
      object: 'contacts',
      pass: 1,
      position: `["${n}"]`,
      done: false,
      ledger: { read: n, created: n, updated: 0, unchanged: 0, rejected: 0, filtered: 0 },
    },
    idMappings: Array.from({ length: 100 }, (_, i) => ({ sourceKey: `["${n - i}"]`, targetKey: `["t${n - i}"]` })),
  });
}
process.kill(process.pid, 'SIGKILL');
