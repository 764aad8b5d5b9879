import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateWorkers } from '../../src/cli/migrate-workers.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import type { EventSink } from '../../src/engine/events.js';
import { type MigrateResult, migrate } from '../../src/engine/migrate/migrate.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { postgresRows } from '../helpers/postgres-rows.js';
import { table, textColumn } from '../helpers/schema-builders.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

/**
 * Pass 1 in worker threads, large tables as key-range chunks: the target, the ledger and the
 * rejects are those of a run in one thread; a threshold stops every chunk, and a resume (with or
 * without workers) finishes exactly the stored ranges.
 */
const ACCOUNTS = 1500;
const CONTACTS = 4000;

const project = (source: string, target: string, options: string) => `
source: { url: "sqlite:${source}" }
target: { url: "${target}" }
options: { ${options} }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields:
      id: id
      name: { from: name, transform: [trim], type: text }
      parent_id: { from: parent_id, ref: { object: companies, onMissing: null }, type: text }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id, generateKey: uuid }
    fields:
      company_id: { from: account_id, ref: companies, type: text }
      email: { from: email1, transform: [email], type: text }
`;

describe('migrate in worker threads, tables cut into key-range chunks (SQLite → PostgreSQL)', () => {
  let dir: string;
  const dbs: FreshDatabase[] = [];
  const opened: { close(): Promise<void> }[] = [];
  const sourceFile = () => join(dir, 'source.db');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-chunks-'));
    const id = (p: string, i: number) => `${p}${String(i).padStart(5, '0')}`;
    // Parents later in key order than their children (pass 2), names too long (rejects: their
    // children become parent_rejected), missing parents, invalid emails.
    const accounts: Value[][] = Array.from({ length: ACCOUNTS }, (_, i) => [
      id('a', i),
      i % 97 === 0 ? `Account ${i} with a name far too long` : ` Account ${i} `,
      i % 5 === 0 ? id('a', (i * 7 + 11) % ACCOUNTS) : null,
    ]);
    const contacts: Value[][] = Array.from({ length: CONTACTS }, (_, i) => [
      id('c', i),
      i % 61 === 0 ? id('x', i) : id('a', i % ACCOUNTS),
      i % 43 === 0 ? 'broken@' : `p${i}@example.com`,
    ]);
    await writeSqliteSource(sourceFile(), {
      accounts: { columns: ['id', 'name', 'parent_id'], rows: accounts },
      contacts: { columns: ['id', 'account_id', 'email1'], rows: contacts },
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of opened) await c.close();
    for (const db of dbs) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh target database and state folder, and a migrate function over them. */
  const setup = async (name: string, options = 'batchSize: 200, parallelism: 3') => {
    const db = await freshPostgres();
    if (!db) return undefined;
    dbs.push(db);
    const stateFolder = join(dir, name);
    const [source, target, state] = await Promise.all([
      openConnector(`sqlite:${sourceFile()}`),
      openConnector(db.url),
      openStateStore(stateFolder),
    ]);
    opened.push(source, target, state);
    const tw = await target.writer();
    await tw.createTables([
      table('companies', [textColumn('id', false), textColumn('name', false, 20), textColumn('parent_id')]),
      table('people', [textColumn('id', false), textColumn('company_id'), textColumn('email')]),
    ]);
    await tw.close();
    const plan = compilePlan(parseProject(project(sourceFile(), db.url, options), 'crmbridge.yaml'));
    const workers = migrateWorkers({ source: { url: `sqlite:${sourceFile()}` }, target: { url: db.url }, stateFolder });
    const run = async (
      options: {
        workers?: boolean;
        resume?: boolean;
        dryRun?: boolean;
        maxErrors?: number;
        onEvent?: EventSink;
        signal?: AbortSignal;
      } = {},
    ) =>
      migrate({
        plan,
        source,
        target,
        state,
        targetSchema: await target.introspect(),
        ...(options.workers === false ? {} : { workers }),
        ...(options.resume ? { resume: true } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    return { db, state, run };
  };

  const dump = (url: string) => postgresRows(url, ['companies', 'people']);
  const counts = (r: MigrateResult) => r.ledger.map(({ runId: _, ...l }) => l);

  let reference: { rows: string[]; ledger: ReturnType<typeof counts> } | undefined;
  const oneThread = async () => {
    if (reference) return reference;
    const single = await setup('single');
    if (!single) return undefined;
    const result = await single.run({ workers: false });
    expect(result.status).toBe('completed_with_rejects');
    reference = { rows: await dump(single.db.url), ledger: counts(result) };
    return reference;
  };

  it('loads each table as chunks on the workers and ends with the target and ledger of a one-thread run', async (ctx) => {
    const expected = await oneThread();
    const parallel = await setup('parallel');
    if (!expected || !parallel) return ctx.skip();
    const events: string[] = [];
    const result = await parallel.run({
      onEvent: (e) => {
        if (e.type === 'object-started' || e.type === 'object-finished') events.push(`${e.type} ${e.object} ${e.pass}`);
      },
    });
    expect(result.status).toBe('completed_with_rejects');
    expect(counts(result)).toEqual(expected.ledger);
    // Pass 2 of companies (its self-reference) does not wait for people's pass 1.
    expect(events.indexOf('object-started companies 2')).toBeLessThan(events.indexOf('object-finished people 1'));
    expect(events.indexOf('object-finished companies 1')).toBeLessThan(events.indexOf('object-started companies 2'));
    expect(result.ledger.find((l) => l.object === 'people')!.rejected).toBeGreaterThan(0);
    expect(await dump(parallel.db.url)).toEqual(expected.rows);
    // Each table was cut in three ranges, each done, with ledgers summing to the object's.
    const checkpoints = await parallel.state.getCheckpoints(result.runId);
    for (const object of ['companies', 'people']) {
      const chunks = checkpoints.filter((c) => c.object === object && c.pass === 1 && c.chunk);
      expect(chunks.map((c) => c.chunk)).toEqual([1, 2, 3]);
      expect(chunks.every((c) => c.done)).toBe(true);
      expect(chunks.filter((c) => c.upTo === undefined)).toHaveLength(1);
      const read = chunks.reduce((n, c) => n + c.ledger.read, 0);
      expect(read).toBe(result.ledger.find((l) => l.object === object)!.read);
      expect(chunks.every((c) => c.ledger.read > 0)).toBe(true);
    }
    // Run again: nothing to write.
    const again = await parallel.run();
    expect(again.status).toBe('completed_with_rejects');
    for (const l of again.ledger) expect(l).toMatchObject({ created: 0, updated: 0, unchanged: l.read - l.rejected - l.filtered });
  }, 120_000);

  it('a dry run (one thread, nothing written) predicts the counts of the real run on the workers', async (ctx) => {
    const predicting = await setup('predicting');
    if (!predicting) return ctx.skip();
    const dry = await predicting.run({ dryRun: true });
    expect(await dump(predicting.db.url)).toEqual([]);
    const real = await predicting.run();
    expect(real.status).toBe('completed_with_rejects');
    expect((await predicting.state.getCheckpoints(real.runId)).some((c) => c.chunk)).toBe(true);
    expect(counts(dry)).toEqual(counts(real));
  }, 120_000);

  it('stops the run at --max-errors even when the chunks that crossed it had already finished', async (ctx) => {
    // One batch per chunk: each chunk is done by the time its batch's rejects are counted.
    const stopping = await setup('finished-stop', 'batchSize: 500, parallelism: 3');
    if (!stopping) return ctx.skip();
    const stopped = await stopping.run({ maxErrors: 3 });
    expect(stopped.status).toBe('stopped');
    expect(stopped.objects.find((o) => o.object === 'companies')!.status).toBe('stopped');
    expect(stopped.objects.find((o) => o.object === 'people')!.status).toBe('skipped');
  }, 120_000);

  it("stops the workers' tasks when the caller aborts; a resume on workers finishes the run", async (ctx) => {
    const expected = await oneThread();
    const aborting = await setup('aborting', 'batchSize: 50, parallelism: 3');
    if (!expected || !aborting) return ctx.skip();
    const abort = new AbortController();
    const interrupted = await aborting.run({
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'progress') abort.abort();
      },
    });
    expect(interrupted.status).not.toBe('completed');
    expect(interrupted.objects.find((o) => o.object === 'companies')!.status).toBe('failed');
    const resumed = await aborting.run({ resume: true });
    expect(resumed.runId).toBe(interrupted.runId);
    expect(resumed.status).toBe('completed_with_rejects');
    expect(await dump(aborting.db.url)).toEqual(expected.rows);
  }, 120_000);

  it('stops every chunk at --max-errors; a resume without workers finishes the stored ranges', async (ctx) => {
    const expected = await oneThread();
    // Small batches: the stop reaches the chunks while they still have batches to read.
    const stopping = await setup('stopping', 'batchSize: 50, parallelism: 3');
    if (!expected || !stopping) return ctx.skip();
    const stopped = await stopping.run({ maxErrors: 3 });
    expect(stopped.status).toBe('stopped');
    const companies = stopped.objects.find((o) => o.object === 'companies')!;
    expect(companies.status).toBe('stopped');
    // The stopped object's ledger is the sum of its chunks' committed checkpoints.
    const chunks = (await stopping.state.getCheckpoints(stopped.runId)).filter((c) => c.object === 'companies' && c.chunk);
    expect(chunks).toHaveLength(3);
    expect(companies.ledger.read).toBe(chunks.reduce((n, c) => n + c.ledger.read, 0));
    expect(companies.ledger.rejected).toBeGreaterThan(3);
    expect(stopped.objects.find((o) => o.object === 'people')!.status).toBe('skipped');

    const resumed = await stopping.run({ workers: false, resume: true });
    expect(resumed.runId).toBe(stopped.runId);
    expect(resumed.status).toBe('completed_with_rejects');
    expect(counts(resumed)).toEqual(expected.ledger);
    expect(await dump(stopping.db.url)).toEqual(expected.rows);
  }, 120_000);
});
