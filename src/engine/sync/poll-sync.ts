import { encodeKey } from '../../core/keys.js';
import type { Value } from '../../core/types.js';
import type { DriftGuard } from './drift-guard.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter } from './sync-meter.js';
import { syncPolicyOf } from './sync-policy.js';
import { parseWatermark, shiftTimestamp, watermarkOf } from './watermark.js';

export const pollPositionName = (object: string): string => `poll:${object}`;

export interface PollOptions {
  /** Seconds before the watermark that are read again (rows committed late with an older updatedAt). */
  readonly lookbackSeconds: number;
  readonly signal: AbortSignal;
}

/**
 * Watermark polling, for sources without log access. Per object with `sync.updatedAt.source`:
 * rows are read in `(updatedAt, key)` order after `(watermark - lookback, key)` — the key breaks
 * ties, so rows sharing a timestamp are all read (the airbyte#80152 bug), and the look-back
 * re-reads late commits that got an older timestamp than rows already read. Each batch is
 * applied (idempotently: a re-read row is found unchanged) and only THEN is the watermark
 * stored: a failed attempt leaves it where it was, so the next attempt re-reads everything
 * after it. With a look-back, rows at the watermark's own timestamp are always re-read, so the
 * watermark's key only matters without one.
 *
 * Hard deletes leave no row to read: polling sees soft deletes (`sync.softDelete.source`, with
 * updatedAt touched) and filter changes; use --mode snapshot for hard deletes.
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
    const name = pollPositionName(object.name);
    let mark = parseWatermark(await ctx.state.getSyncPosition(name));
    const { table, key } = object.source;
    const order = [column, ...key];
    const after: Value[] | undefined = mark ? [shiftTimestamp(mark.ts, -options.lookbackSeconds), ...mark.key] : undefined;
    const rows = ctx.source.read(table, {
      columns: [...key, column],
      orderBy: order,
      batchSize: ctx.plan.options.batchSize,
      signal: options.signal,
      ...(after ? { keyRange: { after } } : {}),
      // A row without a timestamp cannot be ordered after a watermark: never polled.
      where: `${column} IS NOT NULL`,
    });
    for await (const batch of rows) {
      const keys = batch.rows.map((r) => encodeKey(r.slice(0, key.length)));
      const removal = await guard.apply(new Map([[object.name, new Set(keys)]]));
      const last = batch.rows[batch.rows.length - 1];
      const candidate = watermarkOf(last[key.length], last.slice(0, key.length));
      // Rows arrive in (updatedAt, key) order: without look-back every row is past the old
      // watermark; with it, only a later timestamp moves the watermark forward.
      if (!mark || options.lookbackSeconds === 0 || candidate.ts > mark.ts) mark = candidate;
      await ctx.state.setSyncPosition(name, JSON.stringify(mark));
      meter.applied(batch.rows.length, removal, `${object.name}@${mark.ts}`, []);
      if (options.signal.aborted) break;
    }
  }
}
