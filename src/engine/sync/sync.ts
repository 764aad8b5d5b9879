import type { ChangeFeed, Connector } from '../../connectors/contract.js';
import { isCrmError } from '../../core/errors/index.js';
import type { DatabaseSchema } from '../../core/types.js';
import type { Plan } from '../../mapping/plan/plan-types.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { RunStatus, StateStore } from '../../state/state-store.js';
import { journalColumnsOf } from '../row-digest.js';
import { openFeed, runCdc } from './cdc-sync.js';
import { DriftGuard } from './drift-guard.js';
import { DEFAULT_FEED } from './handoff.js';
import { runPoll } from './poll-sync.js';
import { checkDrift, type DriftReport } from './schema-drift.js';
import { runSnapshot } from './snapshot-sync.js';
import { openSyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import { SyncMeter, type SyncMode, type SyncStatus } from './sync-meter.js';
import { TwoWaySync } from './two-way-sync.js';

export interface SyncOptions {
  readonly plan: Plan;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  /** The target tables as they exist. */
  readonly targetSchema: DatabaseSchema;
  readonly mode: SyncMode;
  /** Keep following changes until `signal` aborts; else catch up once and stop. */
  readonly follow: boolean;
  /** Name of the change feed (slot, stored position); `main` by default, the one migrate hands off to. */
  readonly feed?: string;
  /** Poll: seconds re-read before the watermark (late commits); default 60. */
  readonly lookbackSeconds?: number;
  /** Poll and snapshot with `follow`: pause between rounds; default 1000 ms. */
  readonly intervalMs?: number;
  /** Warn when the source retains more log than this for the feed; default 1 GiB. */
  readonly lagWarnBytes?: number;
  /** How often a status event is emitted; default 5000 ms. */
  readonly statusEveryMs?: number;
  /** CDC: changes applied together at most; default the plan's batch size. */
  readonly maxBatchChanges?: number;
  /** Also apply target changes to the source (objects with `sync.updatedAt.target`), each round after the forward one. */
  readonly twoWay?: boolean;
  /** Custom transform modules (`loadCustomModules`), as for migrate. */
  readonly transformContext?: Omit<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'>;
  readonly signal?: AbortSignal;
  readonly onEvent?: SyncEventSink;
}

export interface SyncResult {
  readonly runId: string;
  /** completed; incomplete when an object was stopped by schema drift; stopped when interrupted in --once. */
  readonly status: RunStatus;
  readonly summary: SyncStatus;
  readonly stopped: readonly { readonly object: string; readonly error: string }[];
}

const RETRY_MAX_MS = 10_000;

/**
 * `crmbridge sync`: keeps the target consistent with the source after a migration, as a run of
 * kind 'sync' (journalled, so it can be rolled back; rejects listed like migrate's). Modes:
 * `cdc` follows the source's change log from the hand-off position migrate recorded; `poll`
 * reads rows past an updatedAt watermark; `snapshot` diffs a full read against the previous one.
 * Every mode applies by re-reading changed rows by key and loading them exactly as migrate
 * does, and checkpoints only after the target writes committed.
 *
 * With `follow`, a connection lost to either side (a server restart) is retried with backoff
 * from the last checkpoint; an abort (SIGINT/SIGTERM) finishes the batch in hand, checkpoints it
 * and closes the feed (the replication connection) before returning.
 */
export async function sync(options: SyncOptions): Promise<SyncResult> {
  const { plan, source, target, state, mode, follow } = options;
  const emit: SyncEventSink = options.onEvent ?? (() => {});
  const feedName = options.feed ?? DEFAULT_FEED;
  const run = await state.createRun({
    kind: 'sync',
    dryRun: false,
    planHash: plan.hash,
    // journalColumns: what the digests of the rows it creates cover, for rollback (as migrate's).
    options: { mode, follow, feed: feedName, twoWay: options.twoWay ?? false, journalColumns: journalColumnsOf(plan.objects) },
  });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const ctx = await openSyncContext({
    runId: run.id,
    plan,
    source,
    target,
    state,
    targetSchema: options.targetSchema,
    twoWay: options.twoWay ?? false,
    ...(options.transformContext ? { transformContext: options.transformContext } : {}),
    signal: stop.signal,
    emit: (e) => {
      if (e.type === 'warning') emit({ type: 'warning', ...(e.object ? { object: e.object } : {}), message: e.message });
    },
  });
  const meter = new SyncMeter(mode, ctx.ledgers);
  let twoWay: TwoWaySync | undefined;
  const feed: ChangeFeed | undefined = mode === 'cdc' ? openFeed(ctx, feedName) : undefined;
  emit({ type: 'sync-started', runId: run.id, mode, follow });
  const lagWarnBytes = options.lagWarnBytes ?? 1024 ** 3;
  const report = async () => {
    const status = feed ? await feed.status().catch(() => undefined) : undefined;
    meter.retainedBytes(status?.retainedBytes);
    if (status?.retainedBytes !== undefined && status.retainedBytes > lagWarnBytes) {
      emit({
        type: 'warning',
        message: `the source retains ${(status.retainedBytes / 1024 ** 2).toFixed(0)} MiB of log for this sync (more than ${(lagWarnBytes / 1024 ** 2).toFixed(0)} MiB): keep sync running, or drop the slot with \`crmbridge sync --drop-slot\``,
      });
    }
    emit({ type: 'sync-status', status: meter.status() });
  };
  const timer = setInterval(() => void report(), options.statusEveryMs ?? 5000);
  let drift: DriftReport = { stopped: new Map(), notices: [] };
  let failure: unknown;
  try {
    // Refuses the run, before anything is read, when an object's mapping cannot be inverted.
    if (options.twoWay) twoWay = await TwoWaySync.open(ctx, mode, feedName, meter, emit);
    for (let retryMs = 500; ; ) {
      try {
        drift = await checkDrift(plan, source, state);
        for (const n of drift.notices) emit({ type: 'warning', message: n });
        for (const [object, err] of drift.stopped) emit({ type: 'warning', object, message: err.format() });
        const guard = new DriftGuard(ctx, drift, twoWay);
        await guard.replayPending();
        await twoWay?.baseline(new Set(drift.stopped.keys()));
        if (feed) {
          await runCdc(ctx, feed, guard, meter, emit, {
            feed: feedName,
            // Two-way rounds alternate: the forward direction catches up to the log's head, then the reverse one runs.
            follow: follow && !twoWay,
            signal: stop.signal,
            maxBatchChanges: options.maxBatchChanges ?? plan.options.batchSize,
          });
        } else if (mode === 'poll') {
          await runPoll(ctx, guard, meter, emit, { lookbackSeconds: options.lookbackSeconds ?? 60, signal: stop.signal });
        } else {
          await runSnapshot(ctx, new Set(drift.stopped.keys()), meter, emit, stop.signal);
        }
        await twoWay?.run({ lookbackSeconds: options.lookbackSeconds ?? 60, signal: stop.signal });
        retryMs = 500;
        if (!follow || stop.signal.aborted) break;
        await pause(options.intervalMs ?? 1000, stop.signal);
      } catch (err) {
        if (!follow || stop.signal.aborted || !isCrmError(err) || !err.retriable) throw err;
        emit({ type: 'warning', message: `${err.format()} — retrying in ${(retryMs / 1000).toFixed(1)} s from the last checkpoint` });
        await pause(retryMs, stop.signal);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
      if (stop.signal.aborted) break;
    }
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await feed?.close();
    await twoWay?.close();
    await ctx.writer.close();
  }
  const summary = meter.status();
  const status: RunStatus = failure ? 'failed' : drift.stopped.size > 0 ? 'incomplete' : 'completed';
  const stopped = [...drift.stopped].map(([object, err]) => ({ object, error: err.format() }));
  await state.finishRun(run.id, status, {
    ...summary,
    stopped,
    ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
  });
  emit({ type: 'sync-finished', runId: run.id, status, summary });
  if (failure) throw failure;
  return { runId: run.id, status, summary, stopped };
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
