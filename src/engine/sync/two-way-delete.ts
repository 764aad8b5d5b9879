import { decodeKey, encodeKey } from '../../core/keys.js';
import type { ChangedKeys } from './change-router.js';
import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import { flagValue, isSet, typedKey } from './target-rows.js';
import type { TwoWayObject } from './two-way-conflicts.js';

/**
 * Removes from the source the rows behind target rows deleted in the target (`sourceKeys` of
 * `object`), the mirror of the forward delete: an object with `sync.softDelete.source` gets the
 * flag set (the row stays, so nothing is orphaned); otherwise the source rows that reference it
 * are dealt with first — a reference mapped `onMissing: null` is cleared, any other referencing
 * row is removed the same way (by its own object's policy) — then the row is deleted. Every
 * source key written is added to `touched`, to be applied forward afterwards (which deletes the
 * target rows of removed children and forgets the id mappings). Returns the source rows written.
 * Idempotent: a replay finds the rows already gone or flagged.
 */
export async function removeFromSource(
  ctx: SyncContext,
  objects: ReadonlyMap<string, TwoWayObject>,
  object: TwoWayObject,
  sourceKeys: readonly string[],
  touched: ChangedKeys,
  visited: Set<string> = new Set(),
): Promise<number> {
  const plan = object.mapping.object;
  const fresh = sourceKeys.filter((k) => !visited.has(`${plan.name}\u0000${k}`));
  if (fresh.length === 0) return 0;
  for (const k of fresh) visited.add(`${plan.name}\u0000${k}`);
  const touch = (name: string, keys: readonly string[]) => touched.set(name, new Set([...(touched.get(name) ?? []), ...keys]));
  touch(plan.name, fresh);
  const { table, writer } = object.sourceSide;
  const sKey = plan.source.key;
  const typed = fresh.map((k) => typedKey(table, sKey, k));
  const flag = syncPolicyOf(plan).softDelete.source;
  if (flag) {
    const current = await ctx.source.readByKeys(table.name, sKey, typed, [...sKey, flag]);
    const rows = current.rows.filter((r) => !isSet(r[sKey.length])).map((r) => [...r.slice(0, sKey.length), flagValue(table, flag, true)]);
    return rows.length === 0 ? 0 : writer.write(table.name, { columns: [...sKey, flag], rows }, { mode: 'upsert', key: sKey });
  }
  let written = 0;
  // Children first: when the row goes, no source row may point at it any more.
  for (const child of ctx.plan.objects) {
    const childSide = objects.get(child.name)!;
    for (const field of child.fields) {
      const column = field.from[0];
      if (field.ref?.object !== plan.name || !column || !child.source.columns.includes(column)) continue;
      const found = await ctx.source.readByKeys(child.source.table, [column], fresh.map(decodeKey), child.source.key);
      const childKeys = found.rows.map((r) => encodeKey(r));
      if (childKeys.length === 0) continue;
      if (field.ref.onMissing === 'null') {
        const childTable = childSide.sourceSide.table;
        const rows = childKeys.map((k) => [...typedKey(childTable, child.source.key, k), null]);
        written += await childSide.sourceSide.writer.write(
          childTable.name,
          { columns: [...child.source.key, column], rows },
          { mode: 'upsert', key: child.source.key },
        );
        touch(child.name, childKeys);
      } else {
        written += await removeFromSource(ctx, objects, childSide, childKeys, touched, visited);
      }
    }
  }
  return written + (await writer.deleteByKeys(table.name, sKey, typed));
}
