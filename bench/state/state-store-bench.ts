/**
 * `npx tsx bench/state/state-store-bench.ts [--contacts 100000] [--batch 5000] [--rounds 5] [--baseline DIR]`
 *
 * The state store's work per committed batch of a migration, on a real file (WAL,
 * synchronous = FULL), without a source or target: what a contacts load asks of it.
 * - commit: one commitBatch per batch: an id mapping and a created-row journal entry per row,
 *   1 % rejects with their records, the ledger and checkpoint;
 * - lookup: per batch and per reference (two: account and owner), rejectedKeys with the batch's
 *   parent keys (repeats included) and lookupIds with the distinct ones, as the engine asks.
 * Prints CPU time (user + system) and wall time per phase, the median of the rounds; each round
 * starts from a fresh file holding the parents' id mappings. The digests of what the lookups
 * returned and of what the commits stored must not change with the store's implementation.
 * --baseline DIR also runs the store of another checkout (e.g. `git worktree add DIR HEAD~1`, or
 * `git archive HEAD~1 src | tar -x -C DIR` with DIR/node_modules linked), in alternate rounds.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openStateStore } from '../../src/state/index.js';
import type { IdMapping, JournalRecord, LedgerCounts, RejectRecord, StateStore } from '../../src/state/state-store.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    baseline: { type: 'string' },
  },
});
const CONTACTS = Number(values.contacts);
const BATCH = Number(values.batch);
const ROUNDS = Number(values.rounds);
const PARENTS = { accounts: Math.ceil(CONTACTS / 5), users: 200 };

/** Deterministic pseudo-random numbers (mulberry32), so every round and build sees the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const key = (text: string) => `[${JSON.stringify(text)}]`;
const uuid = (n: number) => `6f1c${n.toString(16).padStart(8, '0')}-8e2a-4c1b-9d3f-${(n * 7919).toString(16).padStart(12, '0')}`;

interface Batch {
  readonly commit: Parameters<StateStore['commitBatch']>[1];
  readonly references: { object: string; keys: string[] }[];
}

/** The batches of one load, built before timing starts. */
function batches(): Batch[] {
  const next = random(42);
  const out: Batch[] = [];
  const ledger: LedgerCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 };
  for (let start = 0; start < CONTACTS; start += BATCH) {
    const size = Math.min(BATCH, CONTACTS - start);
    const idMappings: IdMapping[] = [];
    const journal: JournalRecord[] = [];
    const rejects: RejectRecord[] = [];
    const accounts: string[] = [];
    const users: string[] = [];
    for (let n = start; n < start + size; n++) {
      const sourceKey = key(String(n + 1));
      accounts.push(key(String(1 + Math.floor(next() * PARENTS.accounts * 1.02)))); // 2 % unknown parents
      users.push(key(String(1 + Math.floor(next() * PARENTS.users))));
      if (n % 100 === 99) {
        rejects.push({
          object: 'contacts',
          sourceKey,
          field: 'email',
          rawValue: `someone${n}@@example`,
          reason: 'invalid_email',
          code: 'CRM_R4003',
          message: `not an email address: someone${n}@@example`,
          record: JSON.stringify({
            id: String(n + 1),
            first_name: 'Ann',
            last_name: `Lee ${n}`,
            email: `someone${n}@@example`,
            phone: '+1 555 0100',
          }),
        });
        continue;
      }
      const targetKey = key(uuid(n));
      idMappings.push({ sourceKey, targetKey });
      journal.push({ object: 'contacts', table: 'contact', targetKey, action: 'insert', after: `md5:${uuid(n).slice(0, 22)}` });
    }
    ledger.read += size;
    ledger.created += idMappings.length;
    ledger.rejected += rejects.length;
    out.push({
      commit: {
        object: 'contacts',
        pass: 1,
        checkpoint: { object: 'contacts', pass: 1, position: key(String(start + size)), done: false, ledger: { ...ledger } },
        idMappings,
        rejects,
        journal,
      },
      references: [
        { object: 'accounts', keys: accounts },
        { object: 'users', keys: users },
      ],
    });
  }
  return out;
}

async function seedParents(store: StateStore, runId: string): Promise<void> {
  for (const [object, count] of Object.entries(PARENTS)) {
    for (let start = 0; start < count; start += BATCH) {
      const idMappings: IdMapping[] = [];
      for (let n = start; n < Math.min(count, start + BATCH); n++)
        idMappings.push({ sourceKey: key(String(n + 1)), targetKey: key(uuid(n)) });
      const ledger = {
        read: start + idMappings.length,
        created: start + idMappings.length,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        filtered: 0,
      };
      await store.commitBatch(runId, {
        object,
        pass: 1,
        checkpoint: { object, pass: 1, position: idMappings.at(-1)!.sourceKey, done: false, ledger },
        idMappings,
        // A few rejected parents, so rejectedKeys finds some.
        rejects: [{ object, sourceKey: key(String(start + 7)), reason: 'invalid_email', code: 'CRM_R4003', message: 'bad' }],
      });
    }
  }
}

interface Timing {
  cpuMs: number;
  wallMs: number;
}

/** Per round, the time spent in each store call measured, summed over the load. */
const PHASES = { rejectedKeys: 'batch (2 references)', lookupIds: 'batch (2 references)', commitBatch: 'batch' } as const;
type Phase = keyof typeof PHASES;

/** Runs `work`, adding its CPU time (user + system) and wall time to `into`. */
async function timed<T>(into: Timing, work: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  into.cpuMs += (used.user + used.system) / 1000;
  into.wallMs += performance.now() - wall;
  return result;
}

/** One implementation of the store: this checkout's, or a baseline's (`--baseline`). */
interface Variant {
  readonly name: string;
  readonly open: (folder: string) => Promise<StateStore>;
  readonly results: Record<Phase, Timing>[];
  readonly digests: Set<string>;
}

async function runRound(variant: Variant): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'crmbridge-state-bench-'));
  try {
    const store = await variant.open(folder);
    const run = await store.createRun({ kind: 'migrate', dryRun: false, planHash: 'bench', options: {} });
    await seedParents(store, run.id);
    const t: Record<Phase, Timing> = {
      rejectedKeys: { cpuMs: 0, wallMs: 0 },
      lookupIds: { cpuMs: 0, wallMs: 0 },
      commitBatch: { cpuMs: 0, wallMs: 0 },
    };
    const found: Iterable<unknown>[] = [];
    for (const b of load) {
      for (const ref of b.references) {
        found.push(await timed(t.rejectedKeys, () => store.rejectedKeys(run.id, ref.object, ref.keys)));
        const distinct = [...new Set(ref.keys)]; // the engine's IdResolver asks for distinct keys
        found.push(await timed(t.lookupIds, () => store.lookupIds(ref.object, distinct)));
      }
    }
    for (const b of load) await timed(t.commitBatch, () => store.commitBatch(run.id, b.commit));
    variant.results.push(t);
    variant.digests.add(`lookups ${digest(found.map((f) => [...f].sort()))}, stored ${digest(await stored(store, run.id), run.id)}`);
    await store.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const load = batches();
const variants: Variant[] = [{ name: 'this checkout', open: openStateStore, results: [], digests: new Set() }];
if (values.baseline) {
  const module = (await import(pathToFileURL(resolve(values.baseline, 'src/state/index.ts')).href)) as { openStateStore: Variant['open'] };
  variants.push({ name: `baseline ${values.baseline}`, open: module.openStateStore, results: [], digests: new Set() });
}
// Rounds alternate between the variants (and which goes first), so load on the machine hits both alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) await runRound(variant);
}

async function stored(store: StateStore, runId: string): Promise<unknown> {
  const contacts = load.flatMap((b) => b.commit.idMappings!.map((m) => m.sourceKey));
  return [
    [...(await store.lookupIds('contacts', contacts))].sort(),
    await store.journal(runId, { object: 'contacts' }),
    await store.listRejects(runId, { object: 'contacts' }),
    await store.getLedger(runId),
    await store.getCheckpoints(runId),
  ];
}

/** A short hash of the value's JSON (without the run id, which differs per round). */
function digest(value: unknown, runId = ''): string {
  const text = JSON.stringify(value);
  return createHash('sha256')
    .update(runId ? text.replaceAll(runId, 'RUN') : text)
    .digest('hex')
    .slice(0, 12);
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${CONTACTS} contacts in ${load.length} batches of ${BATCH}, ${PARENTS.accounts} accounts, median of ${ROUNDS} rounds`);
for (const v of variants) {
  console.log(`${v.name} — digests: ${[...v.digests].join('; ')}`);
  for (const [phase, per] of Object.entries(PHASES) as [Phase, string][]) {
    const cpu = median(v.results.map((r) => r[phase].cpuMs));
    const wall = median(v.results.map((r) => r[phase].wallMs));
    console.log(
      `  ${phase.padEnd(12)}: CPU ${cpu.toFixed(0)} ms, wall ${wall.toFixed(0)} ms (${((cpu / load.length) * 1000).toFixed(0)} µs CPU per ${per})`,
    );
  }
}
