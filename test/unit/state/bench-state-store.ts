/**
 * Measures (does not assert) the state store's hot paths; run with
 * `npx tsx test/unit/state/bench-state-store.ts`. Not a test file: vitest does not pick it up.
 * - commitBatch throughput with 5,000 id mappings per batch, up to 1M stored mappings;
 * - lookupIds of 5,000 keys against those 1M mappings, comparing the store's json_each join with
 *   the alternative (fill a temp table, join it) on the same file through a second connection.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openStateStore } from '../../../src/state/index.js';

const TOTAL = 1_000_000;
const BATCH = 5_000;
const LOOKUPS = 50;
const key = (n: number) => `["${n}"]`;

const folder = mkdtempSync(join(tmpdir(), 'crmbridge-bench-'));
try {
  const store = await openStateStore(folder);
  const run = await store.createRun({ kind: 'migrate', dryRun: false, planHash: 'bench', options: {} });
  const commitStart = performance.now();
  for (let start = 0; start < TOTAL; start += BATCH) {
    const idMappings = Array.from({ length: BATCH }, (_, i) => ({ sourceKey: key(start + i), targetKey: `["t${start + i}"]` }));
    const ledger = { read: start + BATCH, created: start + BATCH, updated: 0, unchanged: 0, rejected: 0, filtered: 0 };
    await store.commitBatch(run.id, {
      object: 'contacts',
      pass: 1,
      checkpoint: { object: 'contacts', pass: 1, position: key(start + BATCH - 1), done: false, ledger },
      idMappings,
    });
  }
  const commitMs = performance.now() - commitStart;
  console.log(
    `commitBatch: ${TOTAL / BATCH} batches of ${BATCH} mappings in ${commitMs.toFixed(0)} ms = ${((TOTAL / BATCH / commitMs) * 1000).toFixed(1)} batches/s, ${((TOTAL / commitMs) * 1000).toFixed(0)} mappings/s`,
  );

  // Random keys, half of them unmapped (beyond TOTAL), in the same order for both strategies.
  const keySets = Array.from({ length: LOOKUPS }, () => Array.from({ length: BATCH }, () => key(Math.floor(Math.random() * TOTAL * 2))));

  const raw = new Database(join(folder, 'state.db'));
  raw.pragma('cache_size = -65536'); // the store's setting, for a fair comparison
  raw.exec('CREATE TEMP TABLE lookup_keys (k TEXT PRIMARY KEY) WITHOUT ROWID');
  const clear = raw.prepare('DELETE FROM lookup_keys');
  const insert = raw.prepare('INSERT OR IGNORE INTO lookup_keys VALUES (?)');
  const joinKeys = raw
    .prepare('SELECT m.source_key, m.target_key FROM lookup_keys AS k CROSS JOIN id_map AS m ON m.object = ? AND m.source_key = k.k')
    .raw();
  const viaTemp = raw.transaction((keys: string[]) => {
    clear.run();
    for (const k of keys) insert.run(k);
    return new Map(joinKeys.all('contacts') as [string, string][]);
  });

  // Alternating rounds, so neither strategy alone pays for a cold page cache.
  for (let round = 1; round <= 2; round++) {
    let t = performance.now();
    let hits = 0;
    for (const keys of keySets) hits += (await store.lookupIds('contacts', keys)).size;
    report(`round ${round} lookupIds (json_each)`, performance.now() - t, hits);
    t = performance.now();
    hits = 0;
    for (const keys of keySets) hits += viaTemp(keys).size;
    report(`round ${round} temp table join      `, performance.now() - t, hits);
  }
  raw.close();
  await store.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}

function report(label: string, ms: number, hits: number): void {
  console.log(`${label}: ${(ms / LOOKUPS).toFixed(2)} ms per ${BATCH} keys against ${TOTAL} mappings (${hits} hits of ${LOOKUPS * BATCH})`);
}
