import type { ChangeEvent, ChangeFeed, ChangeFeedOptions } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { Value } from '../../core/types.js';
import type { ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import type { ChangedKeys } from './change-router.js';
import { coalesce } from './coalesce.js';
import type { SyncContext } from './sync-context.js';
import type { TargetBatch, TargetFeed } from './two-way-target-feed.js';

/** Where the target's log was read up to, per feed. */
export const targetCdcPositionName = (feed: string): string => `cdc-target:${feed}`;

/** The target feed's own name (slot, publication): both databases may live on one PostgreSQL server, whose slot names are shared. */
export const targetFeedName = (feed: string): string => `${feed}_target`;

/** What the target's feed follows: every mapped target table. */
export function targetFeedOptions(plan: Plan, feed: string): ChangeFeedOptions {
  return { name: targetFeedName(feed), tables: [...new Set(plan.objects.map((o) => o.target.table))] };
}

/**
 * The reverse direction read from the target's change log (PostgreSQL pgoutput, MySQL binlog):
 * inserts, updates and deletes of every mapped target table, without an updatedAt column. It
 * starts where the log begins to be retained for this feed (the slot's creation, by `start`);
 * each later round goes on from the stored position up to the log's head when the round began.
 * The position is stored, then acknowledged, only after the batch was applied to the source.
 * Undefined when the target has no change log.
 */
export function openTargetLog(ctx: SyncContext, feed: string): TargetFeed | undefined {
  if (!ctx.target.changes) return undefined;
  const log = ctx.target.changes(targetFeedOptions(ctx.plan, feed));
  const position = targetCdcPositionName(feed);
  return {
    start: async () => {
      const prepared = await log.prepare();
      await ctx.state.setSyncPosition(position, prepared.position, { ifAbsent: true });
    },
    batches: ({ signal }) => logBatches(ctx, log, position, signal),
    close: () => log.close(),
  };
}

async function* logBatches(ctx: SyncContext, log: ChangeFeed, name: string, signal: AbortSignal): AsyncGenerator<TargetBatch> {
  const prepared = await log.prepare();
  const stored = await ctx.state.getSyncPosition(name);
  const from = stored ?? prepared.position;
  if (!stored) await ctx.state.setSyncPosition(name, from);
  const until = (await log.status()).head;
  // The stream ends with this generator, whatever ends it.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const transactions = log.transactions(from, { until, signal: stop.signal });
    for await (const group of coalesce(transactions, ctx.plan.options.batchSize, (t) => t.changes.length)) {
      // The rows are read back from the target: the log can deliver a commit before the target
      // shows it to other sessions (see ChangeFeed.visible), and the read would get the old row.
      await log.visible(group, stop.signal);
      const changes = group.flatMap((t) => t.changes);
      const position = group[group.length - 1].position;
      yield {
        changed: targetKeysOf(ctx.plan.objects, changes),
        events: changes.length,
        commit: async () => {
          await ctx.state.setSyncPosition(name, position);
          await log.acknowledge(position);
        },
      };
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/** The target keys of the objects written to each changed table (whichever image the event carries). */
function targetKeysOf(objects: readonly ObjectPlan[], changes: readonly ChangeEvent[]): ChangedKeys {
  const out: ChangedKeys = new Map();
  for (const change of changes) {
    const image = change.after ?? change.before ?? {};
    for (const object of objects) {
      if (object.target.table !== change.table) continue;
      const key = object.target.key.map((k, i) => (image[k] ?? change.key[i] ?? null) as Value);
      if (key.some((v) => v === null)) continue;
      out.set(object.name, (out.get(object.name) ?? new Set()).add(encodeKey(key)));
    }
  }
  return out;
}
