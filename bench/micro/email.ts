/**
 * Micro-benchmark + differential check of the `email` transform's validation: every address of
 * the sample legacy CRM (a JSON array, argv[2]; default /tmp/dev/cpu-emails.json), trimmed and
 * lower-cased as the transform does, through validator.isEmail and isEmailAddress.
 *   npx tsx bench/micro/email.ts [values.json]
 */
import { readFileSync } from 'node:fs';
import validator from 'validator';
import { isEmailAddress } from '../../src/mapping/transforms/email.js';

const file = process.argv[2] ?? '/tmp/dev/cpu-emails.json';
const values = (JSON.parse(readFileSync(file, 'utf8')) as (string | null)[])
  .filter((v): v is string => v !== null)
  .map((v) => v.trim().toLowerCase());

for (const v of values) {
  if (isEmailAddress(v) !== validator.isEmail(v)) throw new Error(`differs for ${JSON.stringify(v)}`);
}
console.log(`${values.length} addresses: identical results`);

for (const [name, f] of [
  ['validator.isEmail', (v: string) => validator.isEmail(v)],
  ['isEmailAddress', isEmailAddress],
  ['validator.isEmail', (v: string) => validator.isEmail(v)],
  ['isEmailAddress', isEmailAddress],
] as const) {
  const t = process.hrtime.bigint();
  let n = 0;
  for (const v of values) if (f(v)) n++;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`${name}: ${ms.toFixed(0)} ms, ${((ms * 1000) / values.length).toFixed(2)} µs/address (${n} valid)`);
}
