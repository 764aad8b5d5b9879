import type { Connector, Writer } from '../../connectors/contract.js';
import { CrmError, isCrmError } from '../../core/errors/index.js';
import type { DatabaseSchema, TableSchema } from '../../core/types.js';
import type { ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import { compileObjectMapper, type ObjectMapper } from '../../mapping/row-mapper.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import {
  type Checkpoint,
  FINISHED_STATUSES,
  type LedgerCounts,
  type LedgerEntry,
  type RunStatus,
  type StateStore,
} from '../../state/state-store.js';
import type { EventSink } from '../events.js';
import { IdResolver } from '../id-resolver.js';
import { emptyLedger, ledgerBalances } from '../ledger.js';
import { journalColumnsOf } from '../row-digest.js';
import { recordHandoffPosition } from '../sync/handoff.js';
import { advanceSequences, completeTables, tablesToComplete } from './after-load.js';
import { checkpointOf, chunksOf, ledgerOf, loadRange, markDone, planChunks, runRangesOnPool, sumLedgers } from './chunks.js';
import { deferredView, loadDeferredReferences } from './deferred-pass.js';
import { runInDependencyOrder } from './dependency-order.js';
import { type PassContext, progressEvent } from './object-pass.js';
import { type SourceBatch, sourceBatches, sourceRowsByKeys } from './source-batches.js';
import { UniqueGuard } from './unique-guard.js';
import { WorkerPool, type WorkerSpawn } from './worker-pool.js';

export interface MigrateOptions {
  readonly plan: Plan;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  /** The target tables as they exist (created beforehand from the design when missing). */
  readonly targetSchema: DatabaseSchema;
  /** Dry run only: target tables that do not exist yet (read as empty). */
  readonly missingTables?: ReadonlySet<string>;
  /** No write to the target; counts, rejects and ledger are computed and stored as for a real run. */
  readonly dryRun?: boolean;
  /** Continue the newest unfinished run of the same plan from its checkpoints. */
  readonly resume?: boolean;
  /** Load only the rows this earlier run rejected (after the mapping was fixed). */
  readonly retryRejectsOf?: string;
  readonly maxErrors?: number;
  readonly maxErrorRatio?: number;
  readonly transformContext?: Omit<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'>;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  /**
   * Load pass 1 in `plan.options.parallelism` worker threads: every object as a task, large
   * tables of keyed sources as several key-range chunks. Real runs only: a dry run and
   * `--retry-rejects` load in this thread (a dry run's predictions live in this thread's memory).
   */
  readonly workers?: WorkerSpawn;
  /**
   * Tables created for this run without their non-unique indexes and foreign keys: they are added
   * once the run ends (`Writer.completeTables`), with those any earlier run of the same plan
   * deferred (a run killed before the end leaves them to the next run, resumed or not).
   */
  readonly completeAfterLoad?: readonly TableSchema[];
  /** Target tables created for this run (children after their parents): `rollback` drops them. */
  readonly createdTables?: readonly string[];
}

/**
 * Default old-generation heap of each worker thread (MiB). A worker holds at most three batches
 * (read ahead, being mapped, being written), each bounded in rows and to ~16 MiB of values.
 */
const WORKER_HEAP_MB = 192;

export interface ObjectResult {
  readonly object: string;
  readonly status: 'ok' | 'failed' | 'skipped' | 'stopped';
  readonly ledger: LedgerCounts;
  readonly balanced: boolean;
  readonly seconds: number;
  readonly error?: string;
  /** Deferred references that could not be set (left NULL, reported). */
  readonly unresolvedReferences: number;
}

export interface MigrateResult {
  readonly runId: string;
  readonly status: RunStatus;
  readonly dryRun: boolean;
  readonly objects: readonly ObjectResult[];
  readonly ledger: readonly LedgerEntry[];
  readonly seconds: number;
}

/** Raised when an error threshold is reached: the run stops cleanly, checkpoints kept. */
class ThresholdReached extends CrmError {
  /** The object that reached it, as far as it got (its last committed checkpoint). */
  stoppedObject?: ObjectResult;
}

/**
 * Executes a plan: objects in dependency order (independent ones in parallel up to the plan's
 * parallelism), each streamed in batches (pass 1), then the deferred references (pass 2).
 * The run is `completed` only when every object's ledger balances
 * (read = created + updated + unchanged + rejected + filtered), no object failed and no row was
 * rejected beyond the declared thresholds (else `completed_with_rejects`); otherwise
 * `incomplete`, `stopped` (threshold) or `failed`.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { plan, source, target, state } = options;
  const dryRun = options.dryRun ?? false;
  const started = Date.now();
  const emit: EventSink = options.onEvent ?? (() => {});
  const transformContext = planTransformContext(plan, options.transformContext);
  const mappers = new Map(plan.objects.map((o) => [o.name, compileObjectMapper(o, transformContext)]));
  const tables = new Map(plan.objects.map((o) => [o.name, targetTableOf(options.targetSchema, o)]));
  const tableColumns = await sourceTableColumns(source, plan);

  const previous = options.resume
    ? (await state.listRuns(50)).find(
        (r) => r.kind === 'migrate' && r.planHash === plan.hash && !FINISHED_STATUSES.has(r.status) && r.dryRun === dryRun,
      )
    : undefined;
  // Sync hand-off: the change log position is taken before any source row is read, so every
  // change after this point is either in the rows read or in the log (never in neither). Before
  // the run is created: a source that cannot give one leaves no run behind.
  const handoff = !dryRun && !previous && !options.retryRejectsOf ? await recordHandoffPosition(plan, source, state) : undefined;
  const run =
    previous ??
    (await state.createRun({
      kind: 'migrate',
      dryRun,
      planHash: plan.hash,
      ...(options.retryRejectsOf ? { parentRunId: options.retryRejectsOf } : {}),
      options: {
        dryRun,
        retryRejectsOf: options.retryRejectsOf ?? null,
        maxErrors: options.maxErrors ?? null,
        maxErrorRatio: options.maxErrorRatio ?? null,
        objects: plan.objects.map((o) => o.name),
        completeAfterLoad: options.completeAfterLoad ?? [],
        journalColumns: journalColumnsOf(plan.objects),
        // Tables prepared for this run: its rollback drops them (once empty).
        createdTables: options.createdTables ?? [],
      },
    }));
  const checkpoints = previous ? await state.getCheckpoints(run.id) : [];
  emit({ type: 'run-started', runId: run.id, dryRun, objects: plan.objects.map((o) => o.name), resumed: previous !== undefined });
  if (handoff) emit({ type: 'warning', message: handoff });

  const ledgers = new Map<string, LedgerCounts>(plan.objects.map((o) => [o.name, ledgerOf(checkpoints, o.name)]));
  const writer: Writer | undefined = dryRun ? undefined : await target.writer();
  const ctx: PassContext = {
    runId: run.id,
    source,
    target,
    writer,
    state,
    ids: new IdResolver(state, dryRun),
    batchSize: plan.options.batchSize,
    ...(options.signal ? { signal: options.signal } : {}),
    emit,
    tableColumns,
    missingTables: options.missingTables ?? new Set(),
    freshObjects: new Set(),
    uniques: new UniqueGuard(new Map([...tables.values()].map((t) => [t.name, t]))),
    afterBatch: (object, ledger) => {
      ledgers.set(object, ledger);
      checkThresholds(ledgers, options.maxErrors ?? plan.options.maxErrors, options.maxErrorRatio ?? plan.options.maxErrorRatio);
    },
  };

  // --retry-rejects: only the rows the given run rejected, read again by key.
  const retryKeys = options.retryRejectsOf ? await rejectedSourceKeys(state, options.retryRejectsOf) : undefined;
  const batchesFor = (object: ObjectPlan, after: string | undefined, upTo?: string): AsyncIterable<SourceBatch> => {
    const common = { batchSize: plan.options.batchSize, tableColumns, ...(options.signal ? { signal: options.signal } : {}) };
    if (retryKeys) {
      const keys = retryKeys.get(object.name) ?? [];
      return sourceRowsByKeys(source, object, after ? keys.slice(keys.indexOf(after) + 1) : keys, common);
    }
    return sourceBatches(source, object, { ...common, ...(after ? { after } : {}), ...(upTo !== undefined ? { upTo } : {}) });
  };
  const pool =
    options.workers && !dryRun && !retryKeys
      ? new WorkerPool(
          options.workers,
          {
            runId: run.id,
            batchSize: plan.options.batchSize,
            transformContext: planTransformContext(plan),
            tableColumns: [...tableColumns],
          },
          plan.options.parallelism,
          plan.options.workerMemoryMb ?? WORKER_HEAP_MB,
        )
      : undefined;
  // The caller's abort stops the workers' tasks after their current batch, as it stops a read here.
  if (pool) options.signal?.addEventListener('abort', () => pool.abort(), { once: true });
  const pass1: Pass1 = {
    batches: (object, range) => batchesFor(object, range?.position || undefined, range?.upTo),
    retry: retryKeys !== undefined,
    ...(pool ? { pool, halt: {} } : {}),
  };
  const results = new Map<string, ObjectResult>();
  let stopped = false;

  const inThisThread = (object: ObjectPlan, table: TableSchema, ledger: LedgerCounts, cp: Checkpoint | undefined) => {
    const view = deferredView(object);
    return loadDeferredReferences(
      ctx,
      object,
      compileObjectMapper(view, transformContext),
      table,
      { ledger },
      batchesFor(view, cp?.position),
    );
  };
  /** Pass 2 of one object: its deferred references, on a worker or in this thread. A failure fails the object. */
  const secondPass = async (object: ObjectPlan) => {
    const cp = checkpointOf(checkpoints, object.name, 2);
    if (cp?.done) return;
    emit({ type: 'object-started', object: object.name, pass: 2 });
    const t0 = Date.now();
    const ledger = ledgers.get(object.name)!;
    const before = results.get(object.name)!;
    try {
      const table = tables.get(object.name)!;
      // Pass 2 looks rows up by key in the table pass 1 just filled; the planner needs its statistics.
      if (ctx.freshObjects.has(object.name)) await writer?.refreshStatistics?.([object.target.table]);
      const outcome = pool
        ? await pool.run({
            object,
            targetTable: table,
            checkpoint: cp ?? { object: object.name, pass: 2, position: '', done: false, ledger },
            fresh: ctx.freshObjects.has(object.name),
          })
        : await inThisThread(object, table, ledger, cp);
      await markDone(state, run.id, { object: object.name, pass: 2 }, ledger);
      results.set(object.name, { ...before, unresolvedReferences: outcome.unresolved });
      emit({ type: 'object-finished', object: object.name, pass: 2, status: 'ok', ledger, seconds: (Date.now() - t0) / 1000 });
    } catch (err) {
      if (!isCrmError(err)) throw err;
      // Stopped with every other task when a threshold was crossed: resumable, not failed.
      const status = pass1.halt?.error ? 'stopped' : 'failed';
      const error = err.format();
      results.set(object.name, { ...before, status, error });
      emit({ type: 'object-finished', object: object.name, pass: 2, status, ledger, seconds: (Date.now() - t0) / 1000, error });
    }
  };
  // Pass 2 of an object starts once it and every object its deferred references point to have
  // finished pass 1, so it overlaps the pass 1 of the objects still loading (`final`: after
  // pass 1 of all objects, whatever their outcome).
  const secondPasses = new Map<string, Promise<void>>();
  const startSecondPasses = (final: boolean) => {
    for (const object of plan.objects) {
      if (object.deferredFields.length === 0 || secondPasses.has(object.name) || results.get(object.name)?.status !== 'ok') continue;
      if (!final && !deferredTargets(object).every((name) => results.has(name))) continue;
      const started = secondPass(object);
      // Awaited after pass 1 of all objects; never an unhandled rejection meanwhile.
      started.catch(() => {});
      secondPasses.set(object.name, started);
    }
  };
  try {
    await runInDependencyOrder(plan.objects, plan.options.parallelism, async (object) => {
      if (stopped) return results.set(object.name, skippedResult(object.name, ledgers.get(object.name)!));
      // Loading children of a failed object would only reject them all as missing_parent.
      const failedParent = object.dependsOn.find((d) => results.get(d)?.status !== 'ok');
      if (failedParent) {
        const result = { ...skippedResult(object.name, ledgers.get(object.name)!), error: `skipped: ${failedParent} did not load` };
        emit({
          type: 'object-finished',
          object: object.name,
          pass: 1,
          status: 'skipped',
          ledger: result.ledger,
          seconds: 0,
          error: result.error,
        });
        return results.set(object.name, result);
      }
      const job = { object, mapper: mappers.get(object.name)!, table: tables.get(object.name)! };
      const result = await runObject(ctx, job, checkpoints, emit, pass1).catch((err: unknown) => {
        if (err instanceof ThresholdReached) {
          stopped = true;
          if (err.stoppedObject) results.set(object.name, err.stoppedObject);
        }
        throw err;
      });
      results.set(object.name, result);
      if (result.status === 'ok') ledgers.set(object.name, result.ledger);
      if (!stopped) startSecondPasses(false);
    });
    if (!stopped) startSecondPasses(true);
    await Promise.all(secondPasses.values());
  } catch (err) {
    await Promise.allSettled(secondPasses.values());
    if (!(err instanceof ThresholdReached) && !(isCrmError(err) && results.size > 0)) {
      await pool?.close();
      await writer?.close();
      await state.finishRun(run.id, 'failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    if (err instanceof ThresholdReached) emit({ type: 'warning', message: err.format() });
  }
  await pool?.close();
  if (writer) {
    const written = new Set(plan.objects.filter((o) => results.has(o.name)).map((o) => o.target.table));
    await advanceSequences(writer, written, emit);
    await completeTables(writer, await tablesToComplete(state, plan, options.completeAfterLoad ?? []), emit);
  }
  await writer?.close();

  const objects = plan.objects.map((o) => results.get(o.name) ?? skippedResult(o.name, ledgers.get(o.name)!));
  const status: RunStatus = stopped
    ? 'stopped'
    : objects.some((o) => o.status === 'failed')
      ? 'failed'
      : objects.every((o) => o.balanced && o.status === 'ok')
        ? completedStatus(
            objects.map((o) => o.ledger),
            options.maxErrors ?? plan.options.maxErrors,
            options.maxErrorRatio ?? plan.options.maxErrorRatio,
          )
        : 'incomplete';
  const ledger = await state.getLedger(run.id);
  const seconds = (Date.now() - started) / 1000;
  await state.finishRun(run.id, status, {
    seconds,
    objects: objects.map((o) => ({ object: o.object, status: o.status, balanced: o.balanced, error: o.error })),
  });
  emit({ type: 'run-finished', runId: run.id, status, ledger, seconds });
  return { runId: run.id, status, dryRun, objects, ledger, seconds };
}

/** One object to load: its plan, compiled mapper and target table. */
interface ObjectJob {
  readonly object: ObjectPlan;
  readonly mapper: ObjectMapper;
  readonly table: TableSchema;
}

/** How pass 1 of each object runs: the source batches of a range, and the worker pool when there is one. */
interface Pass1 {
  readonly batches: (object: ObjectPlan, range?: Checkpoint) => AsyncIterable<SourceBatch>;
  readonly retry: boolean;
  readonly pool?: WorkerPool;
  /** Set by the first object whose batch crossed an error threshold: every worker task is stopped. */
  readonly halt?: { error?: ThresholdReached };
}

async function runObject(
  ctx: PassContext,
  job: ObjectJob,
  checkpoints: readonly Checkpoint[],
  emit: EventSink,
  pass1: Pass1,
): Promise<ObjectResult> {
  const { object } = job;
  const cp = checkpointOf(checkpoints, object.name, 1);
  if (cp?.done) {
    return {
      object: object.name,
      status: 'ok',
      ledger: cp.ledger,
      balanced: ledgerBalances(cp.ledger),
      seconds: 0,
      unresolvedReferences: 0,
    };
  }
  const t0 = Date.now();
  emit({ type: 'object-started', object: object.name, pass: 1 });
  try {
    const ledger = await loadPass1(ctx, job, checkpoints, emit, pass1);
    if (object.source.filter && !pass1.retry) {
      // Rows the filter excludes are never read row by row; they are counted, so the ledger
      // still accounts for every row of the source table.
      const filtered =
        (await ctx.source.count(object.source.table)) - (await ctx.source.count(object.source.table, { where: object.source.filter }));
      // `filtered` also holds the collapsed duplicates (counted batch by batch): kept as they are.
      const duplicates = ledger.duplicates ?? 0;
      ledger.read += filtered - (ledger.filtered - duplicates);
      ledger.filtered = filtered + duplicates;
    }
    await markDone(ctx.state, ctx.runId, { object: object.name, pass: 1 }, ledger);
    const seconds = (Date.now() - t0) / 1000;
    const balanced = ledgerBalances(ledger);
    emit({ type: 'object-finished', object: object.name, pass: 1, status: 'ok', ledger, seconds });
    if (!balanced)
      emit({
        type: 'warning',
        object: object.name,
        message: new CrmError('CRM_E6001', `ledger of ${object.name} does not balance`).format(),
      });
    return { object: object.name, status: 'ok', ledger, balanced, seconds, unresolvedReferences: 0 };
  } catch (caught) {
    // A worker task stopped because another object crossed the threshold stops this object too.
    const err = pass1.halt?.error ?? caught;
    if (err instanceof ThresholdReached) {
      // The batches that were committed hold the ledger so far in their checkpoints.
      const ledger = ledgerOf(await ctx.state.getCheckpoints(ctx.runId), object.name);
      const seconds = (Date.now() - t0) / 1000;
      emit({ type: 'object-finished', object: object.name, pass: 1, status: 'stopped', ledger, seconds });
      // One error per object: several objects may stop at once.
      const stopped = new ThresholdReached(err.code, err.message);
      stopped.stoppedObject = {
        object: object.name,
        status: 'stopped',
        ledger,
        balanced: ledgerBalances(ledger),
        seconds,
        unresolvedReferences: 0,
      };
      throw stopped;
    }
    if (!isCrmError(err)) throw err;
    const message = err.format();
    emit({
      type: 'object-finished',
      object: object.name,
      pass: 1,
      status: 'failed',
      ledger: emptyLedger(),
      seconds: (Date.now() - t0) / 1000,
      error: message,
    });
    return {
      object: object.name,
      status: 'failed',
      ledger: emptyLedger(),
      balanced: false,
      seconds: (Date.now() - t0) / 1000,
      error: message,
      unresolvedReferences: 0,
    };
  }
}

/**
 * Pass 1 of one object, from where an earlier attempt left it: its key-range chunks (on the
 * workers, or here when there are none), or the object whole (on a worker, or here).
 */
async function loadPass1(
  ctx: PassContext,
  { object, mapper, table }: ObjectJob,
  checkpoints: readonly Checkpoint[],
  emit: EventSink,
  pass1: Pass1,
): Promise<LedgerCounts> {
  const whole = checkpointOf(checkpoints, object.name, 1);
  let ranges = chunksOf(checkpoints, object.name);
  const first = !whole && ranges.length === 0;
  if (first && !pass1.retry && !ctx.missingTables.has(object.target.table) && (await ctx.target.count(object.target.table)) === 0) {
    ctx.freshObjects.add(object.name);
  }
  const { pool } = pass1;
  if (pool && first) ranges = await planChunks(ctx, object, pool.size);
  // Unchunked: the object whole, as one range (chunk 0).
  if (ranges.length === 0) ranges = [whole ?? { object: object.name, pass: 1, position: '', done: false, ledger: emptyLedger() }];
  if (!pool) {
    for (const [i, range] of ranges.entries()) {
      if (!range.done) ranges[i] = { ...range, ledger: await loadRange(ctx, object, mapper, table, range, pass1.batches(object, range)) };
    }
    return sumLedgers(ranges.map((r) => r.ledger));
  }
  const since = { at: Date.now(), read: sumLedgers(ranges.map((r) => r.ledger)).read };
  const ledger = await runRangesOnPool(pool, object, table, ranges, ctx.freshObjects.has(object.name), (ledger) => {
    emit(progressEvent(object.name, ledger, since));
    try {
      ctx.afterBatch(object.name, ledger);
    } catch (err) {
      if (!(err instanceof ThresholdReached)) throw err;
      pass1.halt!.error ??= err;
      pool.abort();
    }
  });
  // The threshold was crossed by a batch of this object, but its tasks had finished before the
  // stop reached them: the object stops all the same, as it would in one thread.
  if (pass1.halt?.error) throw pass1.halt.error;
  return ledger;
}

/** The transform context of a plan's source side (time zone, country, locale). */
export function planTransformContext(
  plan: Plan,
  base: Omit<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'> = {},
): TransformContext {
  return {
    ...base,
    timeZone: plan.source.timeZone,
    ...(plan.options.defaultCountry ? { defaultCountry: plan.options.defaultCountry } : {}),
    ...(plan.options.locale ? { locale: plan.options.locale } : {}),
  };
}

/** The objects an object's deferred references point to (itself, for a self-reference). */
function deferredTargets(object: ObjectPlan): string[] {
  return object.fields.filter((f) => f.ref && object.deferredFields.includes(f.target)).map((f) => f.ref!.object);
}

function skippedResult(object: string, ledger: LedgerCounts): ObjectResult {
  return { object, status: 'skipped', ledger, balanced: ledgerBalances(ledger), seconds: 0, unresolvedReferences: 0 };
}

/**
 * A run that accounted for every row is `completed` when nothing was rejected, or when the rejects
 * stay within the thresholds the user declared (`maxErrors`, `maxErrorRatio`): the user said that
 * many are acceptable. Otherwise `completed_with_rejects`, which the CLI exits with a code of its own.
 */
function completedStatus(ledgers: readonly LedgerCounts[], maxErrors: number | undefined, maxRatio: number | undefined): RunStatus {
  const { read, rejected } = rejectTotals(ledgers);
  if (rejected === 0) return 'completed';
  const declared = maxErrors !== undefined || maxRatio !== undefined;
  const within = (maxErrors === undefined || rejected <= maxErrors) && (maxRatio === undefined || rejected / read <= maxRatio);
  return declared && within ? 'completed' : 'completed_with_rejects';
}

function rejectTotals(ledgers: Iterable<LedgerCounts>): { read: number; rejected: number } {
  let read = 0;
  let rejected = 0;
  for (const l of ledgers) {
    read += l.read;
    rejected += l.rejected;
  }
  return { read, rejected };
}

function checkThresholds(ledgers: ReadonlyMap<string, LedgerCounts>, maxErrors: number | undefined, maxRatio: number | undefined): void {
  const { read, rejected } = rejectTotals(ledgers.values());
  if (maxErrors !== undefined && rejected > maxErrors) {
    throw new ThresholdReached('CRM_E6002', `${rejected} rows rejected, more than --max-errors ${maxErrors}`);
  }
  if (maxRatio !== undefined && read > 0 && rejected / read > maxRatio) {
    throw new ThresholdReached('CRM_E6002', `${rejected} of ${read} rows rejected, more than --max-error-ratio ${maxRatio}`);
  }
}

export function targetTableOf(schema: DatabaseSchema, object: ObjectPlan): TableSchema {
  const table = schema.tables.find((t) => t.name === object.target.table);
  if (!table) {
    throw new CrmError(
      'CRM_S3001',
      `target table ${object.target.table} of object ${object.name} does not exist (create it with \`crmbridge design --apply\`)`,
      {
        location: { object: object.name, table: object.target.table },
      },
    );
  }
  return table;
}

export async function sourceTableColumns(source: Connector, plan: Plan): Promise<Map<string, readonly string[]>> {
  const names = [...new Set(plan.objects.flatMap((o) => [o.source.table, ...o.source.joins.map((j) => j.table)]))];
  const schema = await source.introspect({ tables: names });
  return new Map(schema.tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
}

/** Source keys of the rows a run rejected, per object, in the order they were rejected. */
async function rejectedSourceKeys(state: StateStore, runId: string): Promise<Map<string, string[]>> {
  if (!(await state.getRun(runId))) throw new CrmError('CRM_E6003', `no run ${runId} to retry the rejects of`);
  const out = new Map<string, Set<string>>();
  for (let offset = 0; ; offset += 5000) {
    const page = await state.listRejects(runId, { limit: 5000, offset });
    if (page.length === 0) break;
    for (const r of page) {
      if (!r.sourceKey) continue;
      const keys = out.get(r.object) ?? new Set<string>();
      keys.add(r.sourceKey);
      out.set(r.object, keys);
    }
  }
  return new Map([...out].map(([object, keys]) => [object, [...keys]]));
}
