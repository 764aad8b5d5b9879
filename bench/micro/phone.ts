/**
 * Micro-benchmark + differential check of the `phone` transform: the values of every phone
 * column of the sample legacy CRM (dumped to a JSON array, argv[2]; default
 * /tmp/dev/cpu-phones.json), through the old code (libphonenumber-js per value) and the
 * current transform. Fails on the first value whose result differs.
 *   npx tsx bench/micro/phone.ts [values.json]
 */
import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Value } from '../../src/core/types.js';
import { compilePipeline } from '../../src/mapping/transforms/compile-pipeline.js';

const file = process.argv[2] ?? '/tmp/dev/cpu-phones.json';
const values = (JSON.parse(readFileSync(file, 'utf8')) as (string | null)[]).filter((v): v is string => v !== null);

function old(value: string): string {
  const text = value.trim();
  if (!/\S/.test(text)) return 'NULL';
  const parsed = parsePhoneNumberFromString(text, 'US');
  if (parsed?.isValid()) return parsed.ext ? `${parsed.number};ext=${parsed.ext}` : parsed.number;
  return 'REJECT';
}
const fn = compilePipeline(['phone'], { defaultCountry: 'US' });
const current = (value: string): string => {
  try {
    const out = fn(value) as Value;
    return out === null ? 'NULL' : String(out);
  } catch {
    return 'REJECT';
  }
};

// Differential: every value, same result.
for (const v of values) {
  const a = old(v);
  const b = current(v);
  if (a !== b) throw new Error(`differs for ${JSON.stringify(v)}: old ${a}, new ${b}`);
}
console.log(`${values.length} values: identical results`);

function time(name: string, f: (v: string) => unknown): void {
  for (let round = 0; round < 3; round++) {
    const t = process.hrtime.bigint();
    for (const v of values) f(v);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (round === 2) console.log(`${name}: ${ms.toFixed(0)} ms, ${((ms * 1000) / values.length).toFixed(2)} µs/value`);
  }
}
// Timing as the shipped mapping runs it (on_invalid: keep).
function oldKeep(value: string): string | null {
  const text = value.trim();
  if (!/\S/.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, 'US');
  if (parsed?.isValid()) return parsed.ext ? `${parsed.number};ext=${parsed.ext}` : parsed.number;
  return text;
}
const keep = compilePipeline([{ phone: { on_invalid: 'keep' } }], { defaultCountry: 'US' });
time('old (libphonenumber-js per value)', oldKeep);
time('new (fast path + fallback)', keep);
