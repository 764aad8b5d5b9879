import { encodeKey } from '../../core/keys.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import { syncPolicyOf } from './sync-policy.js';
import { typedKey } from './target-rows.js';
import { TARGET_SCOPE } from './two-way-hashes.js';
import type { TargetBatch, TargetFeed } from './two-way-target-feed.js';
import { watermarkBatches } from './watermark-batches.js';

export const reversePositionName = (object: string): string => `poll-target:${object}`;

/**
 * The reverse direction by polling, for targets without a change log (or sync in poll mode):
 *   - rows inserted or updated: watermark polling of `sync.updatedAt.target` (position
 *     `poll-target:<object>`, the same `(updatedAt, key)` reading and look-back as forward);
 *   - rows deleted leave nothing to poll: every round, the target keys remembered as synced
 *     (`two-way:target`) are checked against the target's key set, a page of keys at a time
 *     (reads key columns only), and those without a row are reported. Every round rather than
 *     every N: a deleted row reaches the source within one round, at the cost of one key read
 *     per synced row per round.
 */
export function openTargetPoll(ctx: SyncContext, emit: SyncEventSink): TargetFeed {
  for (const object of ctx.plan.objects) {
    if (syncPolicyOf(object).updatedAt.target) continue;
    emit({
      type: 'warning',
      object: object.name,
      message: `${object.name} has no sync.updatedAt.target column: only its deleted target rows are synced back (or use --mode cdc with a target change log)`,
    });
  }
  return {
    batches: ({ signal, lookbackSeconds }) => pollBatches(ctx, lookbackSeconds, signal),
    close: async () => {},
  };
}

async function* pollBatches(ctx: SyncContext, lookbackSeconds: number, signal: AbortSignal): AsyncGenerator<TargetBatch> {
  const { batchSize } = ctx.plan.options;
  for (const object of ctx.plan.objects) {
    const column = syncPolicyOf(object).updatedAt.target;
    if (!column) continue;
    const { table, key } = object.target;
    const spec = { connector: ctx.target, table, key, column, position: reversePositionName(object.name) };
    for await (const batch of watermarkBatches(ctx.state, spec, { lookbackSeconds, batchSize, signal })) {
      yield {
        changed: new Map([[object.name, new Set(batch.keys)]]),
        events: batch.keys.length,
        commit: async () => void (await batch.commit()),
      };
    }
  }
  for (const object of ctx.plan.objects) {
    const table = ctx.tables.get(object.name)!;
    const { key } = object.target;
    // Paging by the last key read stays exact while the consumer forgets vanished keys (all at or before it).
    for (let after: string | undefined; !signal.aborted; ) {
      const keys = await ctx.state.syncRowKeys(TARGET_SCOPE, object.name, { ...(after ? { after } : {}), limit: batchSize });
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const present = await ctx.target.readByKeys(
        table.name,
        key,
        keys.map((k) => typedKey(table, key, k)),
        key,
      );
      const found = new Set(present.rows.map((r) => encodeKey(r)));
      const gone = keys.filter((k) => !found.has(k));
      if (gone.length > 0) yield { changed: new Map([[object.name, new Set(gone)]]), events: gone.length, commit: async () => {} };
    }
  }
}
