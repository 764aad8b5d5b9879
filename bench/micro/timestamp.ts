/**
 * Micro-benchmark of the `timestamp` transform on SQL DATETIME text read in UTC (what the
 * sample CRM's MariaDB hands over): zone `UTC` takes the plain-text shortcut, `Etc/UTC` (same
 * offsets) the full parse → instant → civil path the shortcut replaced.
 *   npx tsx bench/micro/timestamp.ts
 */
import type { Value } from '../../src/core/types.js';
import { compilePipeline } from '../../src/mapping/transforms/compile-pipeline.js';

const two = (n: number) => String(n).padStart(2, '0');
const texts = Array.from(
  { length: 1000 },
  (_, i) => `20${two(10 + (i % 15))}-${two(1 + (i % 12))}-${two(1 + (i % 28))} ${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)}`,
);
const fast = compilePipeline(['timestamp'], { timeZone: 'UTC' }) as (v: Value) => Value;
const full = compilePipeline([{ timestamp: { zone: 'Etc/UTC' } }], {}) as (v: Value) => Value;
for (const t of texts) if (fast(t) !== full(t)) throw new Error(t);
const N = 1_000_000;
for (const [name, f] of [
  ['full path (Etc/UTC)', full],
  ['shortcut (UTC)', fast],
  ['full path (Etc/UTC)', full],
  ['shortcut (UTC)', fast],
] as const) {
  const t = process.hrtime.bigint();
  let k = 0;
  for (let i = 0; i < N; i++) k += String(f(texts[i % 1000])).length;
  console.log(`${name}: ${(Number(process.hrtime.bigint() - t) / N).toFixed(0)} ns/value (${k > 0})`);
}
