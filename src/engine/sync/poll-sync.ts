import { ChangeRouter } from './change-router.js';
import type { DriftGuard } from './drift-guard.js';
import { scanSideTables } from './side-table-scan.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter } from './sync-meter.js';
import { syncPolicyOf } from './sync-policy.js';
import { watermarkBatches } from './watermark-batches.js';

export const pollPositionName = (object: string): string => `poll:${object}`;

export interface PollOptions {
  /** Seconds before the watermark that are read again (rows committed late with an older updatedAt). */
  readonly lookbackSeconds: number;
  readonly signal: AbortSignal;
}

/**
 * Watermark polling, for sources without log access. Per object with `sync.updatedAt.source`,
 * changed keys are read past the watermark (see `watermarkBatches`); each batch is applied
 * (idempotently: a re-read row is found unchanged) and only THEN is the watermark stored: a
 * failed attempt leaves it where it was, so the next attempt re-reads everything after it.
 *
 * Hard deletes leave no row to read: polling sees soft deletes (`sync.softDelete.source`, with
 * updatedAt touched) and filter changes; use --mode snapshot for hard deletes. The tables an
 * object reads besides its own (joins, lookups) are watched by `scanSideTables`, which needs no
 * updatedAt column there and sees their deletes too.
 */
export async function runPoll(
  ctx: SyncContext,
  guard: DriftGuard,
  meter: SyncMeter,
  emit: SyncEventSink,
  options: PollOptions,
): Promise<void> {
  for (const object of ctx.plan.objects) {
    const column = syncPolicyOf(object).updatedAt.source;
    if (!column) {
      emit({ type: 'warning', object: object.name, message: `${object.name} has no sync.updatedAt.source column: it is not polled` });
      continue;
    }
    const { table, key } = object.source;
    const spec = { connector: ctx.source, table, key, column, position: pollPositionName(object.name) };
    const batches = watermarkBatches(ctx.state, spec, { ...options, batchSize: ctx.plan.options.batchSize });
    for await (const batch of batches) {
      const removal = await guard.apply(new Map([[object.name, new Set(batch.keys)]]));
      const ts = await batch.commit();
      meter.applied(batch.keys.length, removal, `${object.name}@${ts}`, []);
    }
  }
  if (!options.signal.aborted) await scanSideTables(ctx, new ChangeRouter(ctx.plan, ctx.source), guard, meter, options.signal);
}
