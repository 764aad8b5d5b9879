import { createHash } from 'node:crypto';
import type { Row } from '../../core/types.js';
import { sourceBatches } from '../migrate/source-batches.js';
import { addRemoval, applyReferencing, settleRows } from './apply-keys.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter } from './sync-meter.js';
import { readView } from './sync-policy.js';
import { removeFromTarget } from './target-removal.js';

/** Scope of `sync_rows` holding the hash of each source row as the previous snapshot saw it. */
const SNAPSHOT = 'snapshot';

/** A source row's fingerprint: every value it was read with (joined and looked-up ones too). */
export function rowHash(row: Row): string {
  const text = JSON.stringify(row, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
  );
  return createHash('sha1').update(text).digest('base64');
}

/**
 * Snapshot diff: the whole source (a new CSV/JSON export, or any source without a log) is read
 * and each row's hash compared with the previous snapshot's, kept in the state folder by object
 * key. New and changed rows are loaded (as migrate loads them); keys of the previous snapshot
 * that are missing now (or flagged deleted, or filtered out) leave the target per
 * `sync.deletes` — unless some records could not be read: an incomplete listing deletes nothing.
 * The new hashes are stored only after the target writes committed, so an interrupted run is
 * simply run again.
 */
export async function runSnapshot(
  ctx: SyncContext,
  stopped: ReadonlySet<string>,
  meter: SyncMeter,
  emit: SyncEventSink,
  signal: AbortSignal,
): Promise<void> {
  for (const object of ctx.plan.objects) {
    if (stopped.has(object.name)) continue;
    const seen = new Set<string>();
    let unreadable = 0;
    const batches = sourceBatches(ctx.source, readView(object), {
      batchSize: ctx.plan.options.batchSize,
      tableColumns: ctx.tableColumns,
      signal,
    });
    for await (const batch of batches) {
      unreadable += batch.rejects.length;
      const hashes = batch.rows.map(rowHash);
      const previous = await ctx.state.syncRowHashes(SNAPSHOT, object.name, batch.keys);
      const changed = batch.rows.flatMap((_, i) => {
        seen.add(batch.keys[i]);
        return previous.get(batch.keys[i]) === hashes[i] ? [] : [i];
      });
      const keys = changed.map((i) => batch.keys[i]);
      const sub = {
        ...batch,
        rows: changed.map((i) => batch.rows[i]),
        keys,
        ...(batch.lines ? { lines: changed.map((i) => batch.lines![i]) } : {}),
      };
      const { removal, arrived } = await settleRows(ctx, object, sub, keys, { filtered: true });
      // Children not in an earlier snapshot are new to this one: their own object's turn in this
      // pass applies them (after their parents), so bringing them along would apply them twice.
      addRemoval(removal, await applyReferencing(ctx, object, arrived, (child, childKeys) => inEarlierSnapshot(ctx, child, childKeys)));
      await ctx.state.putSyncRowHashes(
        SNAPSHOT,
        object.name,
        changed.map((i) => ({ key: batch.keys[i], hash: hashes[i] })),
      );
      meter.applied(changed.length, removal, undefined, []);
    }
    if (signal.aborted) return;
    if (unreadable > 0) {
      emit({
        type: 'warning',
        object: object.name,
        message: `${unreadable} source records could not be read (see \`crmbridge rejects\`): deletes of ${object.name} are not applied this run, the listing is incomplete`,
      });
      continue;
    }
    // Deletes (only after a complete read): rows in the target that this snapshot no longer
    // lists — mapped rows no snapshot has listed yet (loaded by migrate before the first
    // snapshot), then what the previous snapshot had and this one has not.
    for (let after: string | undefined; ; ) {
      const mapped = await ctx.state.idMappedKeys(object.name, { limit: ctx.plan.options.batchSize, ...(after ? { after } : {}) });
      if (mapped.length === 0) break;
      after = mapped[mapped.length - 1];
      const unseen = mapped.filter((k) => !seen.has(k));
      const listed = await ctx.state.syncRowHashes(SNAPSHOT, object.name, unseen);
      const gone = unseen.filter((k) => !listed.has(k));
      if (gone.length > 0) meter.applied(gone.length, await removeFromTarget(ctx, object, gone), undefined, []);
    }
    for (let after: string | undefined; ; ) {
      const keys = await ctx.state.syncRowKeys(SNAPSHOT, object.name, { limit: ctx.plan.options.batchSize, ...(after ? { after } : {}) });
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const gone = keys.filter((k) => !seen.has(k));
      if (gone.length === 0) continue;
      const removal = await removeFromTarget(ctx, object, gone);
      await ctx.state.putSyncRowHashes(
        SNAPSHOT,
        object.name,
        gone.map((key) => ({ key, hash: null })),
      );
      meter.applied(gone.length, removal, undefined, []);
    }
  }
}

/** The keys of `object` that an earlier snapshot already listed (they have a stored row hash). */
async function inEarlierSnapshot(ctx: SyncContext, object: string, keys: readonly string[]): Promise<string[]> {
  const known = await ctx.state.syncRowHashes(SNAPSHOT, object, keys);
  return keys.filter((k) => known.has(k));
}
