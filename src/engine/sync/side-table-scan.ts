import type { ChangeEvent } from '../../connectors/contract.js';
import type { Row, Value } from '../../core/types.js';
import type { ChangeRouter } from './change-router.js';
import type { DriftGuard } from './drift-guard.js';
import { rowHash } from './snapshot-sync.js';
import type { SyncContext } from './sync-context.js';
import type { SyncMeter } from './sync-meter.js';

/** Scope of `sync_rows`: per side table, each row's hash (the key) → the values its routes need (JSON). */
const SIDE = 'poll-side';

/**
 * Poll mode's watch over the tables an object reads besides its own (joined side tables,
 * lookup tables, their second hops): they may have no updatedAt column, and a row changed there
 * changes the object's rows all the same. Each round reads every side table whole and keeps
 * each row's hash; a row whose hash is new (inserted, or changed) or gone (deleted, or changed)
 * is routed to the keys of the objects that read it, through its stored and current values of
 * the join/lookup columns (a relation moved from one record to another reaches both), and those
 * keys are applied. Hashes are stored only after the apply, so an interrupted round reads again.
 * Cost: one full read of each side table per round.
 */
export async function scanSideTables(
  ctx: SyncContext,
  router: ChangeRouter,
  guard: DriftGuard,
  meter: SyncMeter,
  signal: AbortSignal,
): Promise<void> {
  for (const [table, routed] of router.sideTables()) {
    const seen = new Set<string>();
    for await (const batch of ctx.source.read(table, { batchSize: ctx.plan.options.batchSize, signal })) {
      const idx = routed.map((c) => batch.columns.indexOf(c));
      const hashes = batch.rows.map(rowHash);
      for (const h of hashes) seen.add(h);
      const stored = await ctx.state.syncRowHashes(SIDE, table, hashes);
      const fresh = batch.rows.flatMap((row, i) => (stored.has(hashes[i]) ? [] : [{ key: hashes[i], image: imageOf(routed, idx, row) }]));
      await settle(ctx, router, guard, meter, table, fresh, 'after');
    }
    if (signal.aborted) return;
    for (let after: string | undefined; ; ) {
      const keys = await ctx.state.syncRowKeys(SIDE, table, { limit: ctx.plan.options.batchSize, ...(after ? { after } : {}) });
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const gone = keys.filter((k) => !seen.has(k));
      const images = await ctx.state.syncRowHashes(SIDE, table, gone);
      await settle(
        ctx,
        router,
        guard,
        meter,
        table,
        gone.map((key) => ({ key, image: JSON.parse(images.get(key)!) as Record<string, Value> })),
        'before',
      );
    }
  }
}

/** Applies the object keys these side rows route to, then remembers (`after`) or forgets (`before`) the rows. */
async function settle(
  ctx: SyncContext,
  router: ChangeRouter,
  guard: DriftGuard,
  meter: SyncMeter,
  table: string,
  rows: readonly { readonly key: string; readonly image: Record<string, Value> }[],
  side: 'after' | 'before',
): Promise<void> {
  if (rows.length === 0) return;
  const changes: ChangeEvent[] = rows.map(({ image }) => ({
    table,
    op: side === 'after' ? 'insert' : 'delete',
    key: [],
    position: '',
    [side]: image,
  }));
  const removal = await guard.apply(await router.route(changes));
  await ctx.state.putSyncRowHashes(
    SIDE,
    table,
    rows.map(({ key, image }) => ({ key, hash: side === 'after' ? JSON.stringify(image) : null })),
  );
  meter.applied(rows.length, removal, undefined, []);
}

/** The values of the routed columns, JSON-safe (64-bit integers as text, as a key lookup takes them). */
function imageOf(columns: readonly string[], idx: readonly number[], row: Row): Record<string, Value> {
  return Object.fromEntries(columns.map((c, i) => [c, typeof row[idx[i]] === 'bigint' ? String(row[idx[i]]) : row[idx[i]]]));
}
