/**
 * Micro-benchmark of the per-value core helpers on the hot path of a migration: canonical
 * timestamptz text (already canonical, the common case) and `encodeKey` of a one-part key.
 *   npx tsx bench/micro/canonical-keys.ts
 */
import { randomUUID } from 'node:crypto';
import { normalizeTimestamptz, toCanonicalText } from '../../src/core/canonical.js';
import { decodeKey, encodeKey } from '../../src/core/keys.js';

const N = 1_000_000;
const stamps = Array.from(
  { length: 1000 },
  (_, i) => `20${String(10 + (i % 15))}-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:1${i % 10}:2${i % 10}.${String(i).padStart(6, '0')}Z`,
);
const uuids = Array.from({ length: 1000 }, () => randomUUID());
const ints = Array.from({ length: 1000 }, (_, i) => i * 7919);

function time(name: string, f: (i: number) => unknown): void {
  let sink = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const out = f(i);
      if (typeof out === 'string') sink += out.length;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`${name}: ${((best * 1e6) / N).toFixed(1)} ns/call (${sink > 0 ? 'ok' : ''})`);
}

const tz = { kind: 'timestamptz' } as const;
time('normalizeTimestamptz (canonical input)', (i) => normalizeTimestamptz(stamps[i % 1000]));
time('toCanonicalText timestamptz', (i) => toCanonicalText(stamps[i % 1000], tz));
time('normalizeTimestamptz "+00:00" input', (i) => normalizeTimestamptz(`${stamps[i % 1000].slice(0, -1)}+00:00`));
time('normalizeTimestamptz "+05:30" input', (i) => normalizeTimestamptz(`${stamps[i % 1000].slice(0, -1)}+05:30`));
time('encodeKey([uuid])', (i) => encodeKey([uuids[i % 1000]]));
time('encodeKey([int])', (i) => encodeKey([ints[i % 1000]]));
time('encodeKey([uuid, int])', (i) => encodeKey([uuids[i % 1000], ints[i % 1000]]));
const encodedUuids = uuids.map((u) => encodeKey([u]));
time('decodeKey(["uuid"])', (i) => decodeKey(encodedUuids[i % 1000])[0]);
time('JSON.parse(["uuid"]) (decodeKey before)', (i) => (JSON.parse(encodedUuids[i % 1000]) as string[])[0]);
