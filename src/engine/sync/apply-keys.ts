import { decodeKey, encodeKey } from '../../core/keys.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import { deferredView, loadDeferredReferences } from '../migrate/deferred-pass.js';
import { loadObject } from '../migrate/object-pass.js';
import { type SourceBatch, sourceRowsByKeys } from '../migrate/source-batches.js';
import { keyListSql } from './key-list-sql.js';
import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import { emptyRemoval, type RemovalCounts, removeFromTarget, restoreSoftDeleted } from './target-removal.js';
import { isSet } from './target-rows.js';

/**
 * Brings the target's rows for these source keys of one object up to date with the source's
 * CURRENT rows: each key is re-read (with its joined side tables and lookups) and loaded exactly
 * as migrate loads it (same mapping, reference remapping, target rules, rejects, journal, id
 * map); a key whose row is gone, flagged deleted (`sync.softDelete.source`) or no longer
 * passing the object's filter leaves the target per `sync.deletes`.
 *
 * Idempotent: applying the same keys again re-reads the same rows and finds the target
 * unchanged. So a change applied twice (a replay after a crash) changes nothing, and a change
 * is never lost as long as its key is applied after it committed.
 */
export async function applyObjectKeys(ctx: SyncContext, object: ObjectPlan, keys: readonly string[]): Promise<RemovalCounts> {
  const removal = emptyRemoval();
  const { batchSize } = ctx.plan.options;
  for (let i = 0; i < keys.length; i += batchSize) {
    const chunk = keys.slice(i, i + batchSize);
    const live = await liveRows(ctx, object, chunk);
    const liveKeys = new Set(live.keys);
    const gone = chunk.filter((k) => !liveKeys.has(k));
    removal.restored += await loadRows(ctx, object, live);
    addRemoval(removal, await removeFromTarget(ctx, object, gone));
  }
  return removal;
}

/**
 * Loads source rows (read and enriched) into the target as migrate does, deferred references
 * included; a row that had been soft-deleted in the target is unflagged. Returns how many were.
 */
export async function loadRows(ctx: SyncContext, object: ObjectPlan, live: SourceBatch): Promise<number> {
  if (live.rows.length === 0 && live.rejects.length === 0) return 0;
  const table = ctx.tables.get(object.name)!;
  const ledger = await loadObject(
    ctx.pass,
    object,
    ctx.mappers.get(object.name)!,
    table,
    { ledger: ctx.ledgers.get(object.name)! },
    once(live),
  );
  ctx.ledgers.set(object.name, ledger);
  const deferred = ctx.deferredMappers.get(object.name);
  if (deferred && live.keys.length > 0) {
    const rows = sourceRowsByKeys(ctx.source, deferredView(object), live.keys, {
      batchSize: ctx.plan.options.batchSize,
      tableColumns: ctx.tableColumns,
    });
    await loadDeferredReferences(ctx.pass, object, deferred, table, { ledger }, rows);
  }
  return restoreSoftDeleted(ctx, object, live.keys);
}

/** Applies changed keys object by object in dependency order (parents before the children that reference them). */
export async function applyChanged(ctx: SyncContext, changed: ReadonlyMap<string, ReadonlySet<string>>): Promise<RemovalCounts> {
  const total = emptyRemoval();
  for (const object of ctx.plan.objects) {
    const keys = changed.get(object.name);
    if (!keys || keys.size === 0) continue;
    const removed = await applyObjectKeys(ctx, object, [...keys]);
    addRemoval(total, removed);
  }
  return total;
}

export function addRemoval(into: RemovalCounts, add: RemovalCounts): void {
  for (const k of Object.keys(into) as (keyof RemovalCounts)[]) into[k] += add[k];
}

/** The chunk's source rows that exist, are not flagged deleted and pass the object's filter, enriched for the mapper. */
async function liveRows(ctx: SyncContext, object: ObjectPlan, chunk: readonly string[]): Promise<SourceBatch> {
  let read: SourceBatch | undefined;
  for await (const batch of sourceRowsByKeys(ctx.source, object, chunk, { batchSize: chunk.length, tableColumns: ctx.tableColumns })) {
    read = batch;
  }
  if (!read) return { columns: [], rows: [], keys: [], rejects: [], position: '' };
  const flag = syncPolicyOf(object).softDelete.source;
  const flagIdx = flag ? read.columns.indexOf(flag) : -1;
  const passing = await passingFilter(ctx, object, read.keys);
  const keep = read.rows.map((row, i) => passing.has(read.keys[i]) && !(flagIdx >= 0 && isSet(row[flagIdx])));
  return {
    ...read,
    rows: read.rows.filter((_, i) => keep[i]),
    keys: read.keys.filter((_, i) => keep[i]),
  };
}

/** Which keys pass the object's source filter (all of them when it has none), asked of the source in its own SQL. */
async function passingFilter(ctx: SyncContext, object: ObjectPlan, keys: readonly string[]): Promise<Set<string>> {
  const { filter, table, key } = object.source;
  if (!filter || keys.length === 0) return new Set(keys);
  const where = `(${filter}) AND (${keyListSql(ctx.source.capabilities.dialect, key, keys.map(decodeKey))})`;
  const passing = new Set<string>();
  for await (const batch of ctx.source.read(table, { columns: key, where })) for (const r of batch.rows) passing.add(encodeKey(r));
  return passing;
}

async function* once<T>(item: T): AsyncGenerator<T> {
  yield item;
}
