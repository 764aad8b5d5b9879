import { decodeKey, encodeKey } from '../../core/keys.js';
import type { Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import { deferredView, loadDeferredReferences } from '../migrate/deferred-pass.js';
import { loadObject } from '../migrate/object-pass.js';
import { type SourceBatch, sourceRowsByKeys } from '../migrate/source-batches.js';
import { keyListSql } from './key-list-sql.js';
import type { SyncContext } from './sync-context.js';
import { readView, syncPolicyOf } from './sync-policy.js';
import { emptyRemoval, type RemovalCounts, removeFromTarget, restoreSoftDeleted } from './target-removal.js';
import { isSet } from './target-rows.js';
import { untouchedInTarget } from './two-way-hashes.js';

/**
 * Brings the target's rows for these source keys of one object up to date with the source's
 * CURRENT rows: each key is re-read (with its joined side tables and lookups) and settled.
 *
 * Idempotent: applying the same keys again re-reads the same rows and finds the target
 * unchanged. So a change applied twice (a replay after a crash) changes nothing, and a change
 * is never lost as long as its key is applied after it committed.
 */
export async function applyObjectKeys(ctx: SyncContext, object: ObjectPlan, keys: readonly string[]): Promise<Settled> {
  const settled: Settled = { removal: emptyRemoval(), arrived: [] };
  const { batchSize } = ctx.plan.options;
  for (let i = 0; i < keys.length; i += batchSize) {
    const chunk = keys.slice(i, i + batchSize);
    let read: SourceBatch = { columns: [], rows: [], keys: [], ambiguous: new Map(), rejects: [], position: '' };
    for await (const batch of sourceRowsByKeys(ctx.source, readView(object), chunk, {
      batchSize: chunk.length,
      tableColumns: ctx.tableColumns,
    })) {
      read = batch;
    }
    const one = await settleRows(ctx, object, read, chunk, { filtered: false });
    addRemoval(settled.removal, one.removal);
    settled.arrived.push(...one.arrived);
  }
  return settled;
}

/** What settling did: removals, and the keys loaded into the target (for the children that may wait for them). */
export interface Settled {
  readonly removal: RemovalCounts;
  /** Source keys that have a target row now. */
  readonly arrived: string[];
}

/**
 * Settles `expected` keys of an object from their source rows as read (`read`, enriched):
 *   - a row that exists, passes the object's filter and is not flagged deleted is loaded exactly
 *     as migrate loads it (same mapping, reference remapping, target rules, rejects, journal,
 *     id map; deferred references too), and unflagged in the target if it had been soft-deleted;
 *   - a row flagged deleted (`sync.softDelete.source`) is, under `soft_delete`, still loaded
 *     (its other fields stay current) and then flagged in the target;
 *   - a key without a row, filtered out, or flagged under `delete`, leaves the target per
 *     `sync.deletes` (`ignore`: the target row is left as it is).
 * `filtered`: the rows were read with the object's filter already applied.
 */
export async function settleRows(
  ctx: SyncContext,
  object: ObjectPlan,
  read: SourceBatch,
  expected: readonly string[],
  options: { filtered: boolean },
): Promise<Settled> {
  const policy = syncPolicyOf(object);
  const flagIdx = policy.softDelete.source ? read.columns.indexOf(policy.softDelete.source) : -1;
  const passing = options.filtered ? new Set(read.keys) : await passingFilter(ctx, object, read.keys);
  const load: number[] = [];
  const live: string[] = [];
  const flagged: string[] = [];
  read.rows.forEach((row, i) => {
    const key = read.keys[i];
    if (!passing.has(key)) return;
    if (flagIdx >= 0 && isSet(row[flagIdx])) {
      flagged.push(key);
      if (policy.deletes === 'soft_delete') load.push(i);
      return;
    }
    live.push(key);
    load.push(i);
  });
  const keysLoaded = load.map((i) => read.keys[i]);
  await loadRows(ctx, object, {
    ...read,
    rows: load.map((i) => read.rows[i]),
    keys: keysLoaded,
    ...(read.lines ? { lines: load.map((i) => read.lines![i]) } : {}),
  });
  const removal = emptyRemoval();
  removal.restored = await restoreSoftDeleted(ctx, object, live);
  const liveSet = new Set(live);
  const flaggedSet = new Set(flagged);
  const gone = expected.filter((k) => !liveSet.has(k) && (policy.deletes !== 'ignore' || !flaggedSet.has(k)));
  addRemoval(removal, await removeFromTarget(ctx, object, gone));
  // Every row now in the target brings along its referencing rows, not only rows that were
  // missing before this call: after a crash between this apply and the stored position, the
  // replay finds the row already mapped, and a "newly mapped" test would leave its children out.
  // Re-applying children that are already current writes nothing (they compare unchanged).
  const mapped = await ctx.state.lookupIds(object.name, keysLoaded);
  return { removal, arrived: [...mapped.keys()] };
}

/** Loads enriched source rows into the target as migrate does, deferred references included. */
async function loadRows(ctx: SyncContext, object: ObjectPlan, rows: SourceBatch): Promise<void> {
  if (rows.rows.length === 0 && rows.rejects.length === 0) return;
  const table = ctx.tables.get(object.name)!;
  const ledger = await loadObject(
    ctx.pass,
    object,
    ctx.mappers.get(object.name)!,
    table,
    { ledger: ctx.ledgers.get(object.name)! },
    once(rows),
  );
  ctx.ledgers.set(object.name, ledger);
  const deferred = ctx.deferredMappers.get(object.name);
  if (deferred && rows.keys.length > 0) {
    const view = sourceRowsByKeys(ctx.source, deferredView(object), rows.keys, {
      batchSize: ctx.plan.options.batchSize,
      tableColumns: ctx.tableColumns,
    });
    await loadDeferredReferences(ctx.pass, object, deferred, table, { ledger }, view);
  }
}

/**
 * Applies changed keys object by object in dependency order (parents before the children that
 * reference them). A row that arrives in the target (new, or back after a delete) brings along
 * the source rows that reference it: while it was missing they were rejected, deleted with it,
 * or loaded with the reference cleared, and no change of their own would bring them back.
 */
export async function applyChanged(ctx: SyncContext, changed: ReadonlyMap<string, ReadonlySet<string>>): Promise<RemovalCounts> {
  const total = emptyRemoval();
  const pending = new Map([...changed].map(([object, keys]) => [object, new Set(keys)]));
  for (let round = 0; pending.size > 0 && round < MAX_ROUNDS; round++) {
    for (const object of ctx.plan.objects) {
      const keys = pending.get(object.name);
      if (!keys) continue;
      pending.delete(object.name);
      if (keys.size === 0) continue;
      const settled = await applyObjectKeys(ctx, object, [...keys]);
      addRemoval(total, settled.removal);
      for (const [child, childKeys] of await referencingKeys(ctx, object, settled.arrived)) {
        const set = pending.get(child) ?? new Set<string>();
        for (const k of ctx.twoWay ? await untouchedInTarget(ctx, child, childKeys) : childKeys) set.add(k);
        pending.set(child, set);
      }
    }
  }
  return total;
}

/**
 * Re-applies the rows that reference keys of `parent` that just arrived in the target (see
 * `applyChanged`); `only` narrows each child object's keys (e.g. to those another pass will not apply anyway).
 */
export async function applyReferencing(
  ctx: SyncContext,
  parent: ObjectPlan,
  arrived: readonly string[],
  only: (child: string, keys: readonly string[]) => Promise<readonly string[]> = async (_, keys) => keys,
): Promise<RemovalCounts> {
  const children = await referencingKeys(ctx, parent, arrived);
  const narrowed = new Map<string, Set<string>>();
  for (const [object, keys] of children) narrowed.set(object, new Set(await only(object, keys)));
  return applyChanged(ctx, narrowed);
}

/** Rounds of parent → child propagation per apply (self-references and cycles can need several). */
const MAX_ROUNDS = 16;

/**
 * Source keys of the rows of every object that reference these source keys of `parent`: through
 * a base-table column, or through a lookup whose value is the parent's key (`company_id` looked
 * up in `accounts_contacts`: the relation rows holding the key name the referencing rows).
 */
async function referencingKeys(ctx: SyncContext, parent: ObjectPlan, keys: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (keys.length === 0) return out;
  const add = (child: ObjectPlan, rows: readonly (readonly Value[])[]) =>
    out.set(child.name, [...(out.get(child.name) ?? []), ...rows.map((r) => encodeKey(r))]);
  const byColumn = (child: ObjectPlan, column: string, values: readonly (readonly Value[])[]) =>
    ctx.source.readByKeys(child.source.table, [column], values, child.source.key);
  for (const child of ctx.plan.objects) {
    for (const field of child.fields) {
      if (field.ref?.object !== parent.name) continue;
      const column = field.from[0];
      const lookup = field.lookup;
      if (lookup && !lookup.through) {
        const related = await ctx.source.readByKeys(lookup.table, [lookup.value], keys.map(decodeKey), [lookup.match]);
        // `match` holds the referencing row's key when the lookup has no `from`, else the value of `from`.
        if (!column) add(child, child.source.key.length === 1 ? related.rows : []);
        else add(child, (await byColumn(child, column, related.rows)).rows);
      } else if (!lookup && column && ctx.tableColumns.get(child.source.table)?.includes(column)) {
        add(child, (await byColumn(child, column, keys.map(decodeKey))).rows);
      }
    }
  }
  return out;
}

export function addRemoval(into: RemovalCounts, add: RemovalCounts): void {
  for (const k of Object.keys(into) as (keyof RemovalCounts)[]) into[k] += add[k];
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
