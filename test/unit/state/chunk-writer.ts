/**
 * Child process for chunks.test.ts: one worker of a table loaded in chunks. Opens its own store
 * on the shared file and commits `batches` batches of chunk `chunk` of contacts pass 1, each
 * read = created = 10 more than the last, with 10 id mappings; then exits.
 */
import { openStateStore } from '../../../src/state/index.js';

const [folder, runId, chunkText, batchesText] = process.argv.slice(2);
if (!folder || !runId || !chunkText || !batchesText) throw new Error('usage: chunk-writer <folder> <runId> <chunk> <batches>');
const chunk = Number(chunkText);

const store = await openStateStore(folder);
for (let b = 1; b <= Number(batchesText); b++) {
  const keys = Array.from({ length: 10 }, (_, i) => `["${chunk}-${b}-${i}"]`);
  await store.commitBatch(runId, {
    object: 'contacts',
    pass: 1,
    checkpoint: {
      object: 'contacts',
      pass: 1,
      chunk,
      upTo: `["${chunk}~"]`,
      position: keys[9]!,
      done: false,
      ledger: { read: b * 10, created: b * 10, updated: 0, unchanged: 0, rejected: 0, filtered: 0 },
    },
    idMappings: keys.map((k) => ({ sourceKey: k, targetKey: `t${k}` })),
  });
}
await store.close();
