import type { ChangeFeed } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import { ChangeRouter, feedOptions } from './change-router.js';
import { coalesce } from './coalesce.js';
import type { DriftGuard } from './drift-guard.js';
import { cdcPositionName } from './handoff.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter } from './sync-meter.js';

export interface CdcOptions {
  readonly feed: string;
  /** Catch up to the log's current head and stop (`--once`); else follow until `signal` aborts. */
  readonly follow: boolean;
  readonly signal: AbortSignal;
  /** Changes applied together at most (whole transactions are never split). */
  readonly maxBatchChanges: number;
}

/** The source's change feed for this project, or CRM_N2006 when the source has no change log. */
export function openFeed(ctx: SyncContext, name: string): ChangeFeed {
  if (!ctx.source.changes) {
    throw new CrmError(
      'CRM_N2006',
      `the ${ctx.source.name} source has no change log: use --mode poll (an updatedAt column) or --mode snapshot`,
      {
        location: { connector: ctx.source.name },
      },
    );
  }
  return ctx.source.changes(feedOptions(ctx.plan, name));
}

/**
 * Log-based sync. For each group of whole source transactions, in commit order:
 *   0. wait until the source shows the group's commits to other sessions (`ChangeFeed.visible`);
 *   1. map the changed rows to object keys and apply them (target writes commit);
 *   2. store the group's last position in the state store (durable checkpoint);
 *   3. acknowledge that position to the source (PostgreSQL may now recycle the WAL).
 * This order is the whole durability argument: a crash before 2 replays the group (harmless,
 * apply is idempotent); the source never forgets a change before our checkpoint covers it.
 */
export async function runCdc(
  ctx: SyncContext,
  feed: ChangeFeed,
  guard: DriftGuard,
  meter: SyncMeter,
  emit: SyncEventSink,
  options: CdcOptions,
): Promise<void> {
  const router = new ChangeRouter(ctx.plan, ctx.source);
  const name = cdcPositionName(options.feed);
  const prepared = await feed.prepare();
  const stored = await ctx.state.getSyncPosition(name);
  if (!stored) {
    // Migrate records the hand-off only for objects that declare `sync:` (a slot retains WAL
    // until sync reads it); say which case this is, since the fixes differ.
    const why = ctx.plan.objects.some((o) => o.sync)
      ? 'no migrate run of this project started one'
      : 'no object of the project declares `sync:`, so migrate recorded none; declare `sync: {}` on the objects to keep in sync before migrating';
    emit({
      type: 'warning',
      message: `no hand-off position recorded (${why}): following changes from now on; run \`crmbridge sync --once --mode snapshot\` once to take in earlier ones, and \`crmbridge verify\` to see rows deleted since`,
    });
  } else if (prepared.created && feed.compare(stored, prepared.position) < 0) {
    emit({
      type: 'warning',
      message: `the replication slot was (re)created at ${prepared.position}, after the stored position ${stored}: changes in between were not retained; run \`crmbridge sync --mode snapshot\` once`,
    });
  }
  const from = stored ?? prepared.position;
  if (!stored) await ctx.state.setSyncPosition(name, from);
  const until = options.follow ? undefined : (await feed.status()).head;
  // The stream ends with this function, whatever ends it (an error, the outer signal).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const transactions = feed.transactions(from, { ...(until ? { until } : {}), signal: stop.signal });
    for await (const group of coalesce(transactions, options.maxBatchChanges, (t) => t.changes.length)) {
      const changes = group.flatMap((t) => t.changes);
      // Changes are applied by re-reading their rows: the read must see these commits.
      await feed.visible(group);
      const removal = await guard.apply(await router.route(changes));
      const position = group[group.length - 1].position;
      await ctx.state.setSyncPosition(name, position);
      await feed.acknowledge(position);
      meter.applied(
        changes.length,
        removal,
        position,
        group.map((t) => t.commitTime),
      );
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
