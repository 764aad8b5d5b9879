import type { Connector } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { TableSchema } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { StateStore } from '../../state/state-store.js';
import { rowDigest } from '../row-digest.js';
import type { SyncContext } from './sync-context.js';
import { rowTexts, typedKey } from './target-rows.js';

/** Scopes of `sync_rows` holding each side's row hashes as last synced (source rows by source key, target rows by target key). */
export const SOURCE_SCOPE = 'two-way:source';
export const TARGET_SCOPE = 'two-way:target';

/**
 * One side of a two-way object as hashed: the canonical texts of `columns` of the row with that
 * key. Stored per key in `sync_rows` under `scope`, the hash is the row as it was last synced —
 * written by crmbridge, or read by crmbridge and found equal to the other side. Invariant: a
 * row whose current hash equals the stored one has not changed since (a crmbridge write coming
 * back as a change event is its own echo and is skipped).
 */
export interface HashedSide {
  readonly connector: Connector;
  readonly table: TableSchema;
  readonly key: readonly string[];
  readonly columns: readonly string[];
  readonly scope: string;
}

/** A row of one side as hashed: its hash, and the canonical texts it was hashed from, by column. */
export interface HashedRow {
  readonly hash: string;
  readonly texts: Readonly<Record<string, string | null>>;
}

/** These keys' rows as they are now (a key without a row is absent). */
export async function currentRows(side: HashedSide, keys: readonly string[]): Promise<Map<string, HashedRow>> {
  const out = new Map<string, HashedRow>();
  if (keys.length === 0) return out;
  const columns = [...side.key, ...side.columns.filter((c) => !side.key.includes(c))];
  const read = await side.connector.readByKeys(
    side.table.name,
    side.key,
    keys.map((k) => typedKey(side.table, side.key, k)),
    columns,
  );
  for (const row of read.rows) {
    const texts = rowTexts(side.table, columns, row);
    out.set(encodeKey(row.slice(0, side.key.length)), { hash: rowDigest(Object.values(texts)), texts });
  }
  return out;
}

/** Current hashes of these keys' rows (a key without a row is absent). */
export async function currentHashes(side: HashedSide, keys: readonly string[]): Promise<Map<string, string>> {
  return new Map([...(await currentRows(side, keys))].map(([k, row]) => [k, row.hash]));
}

/** The keys whose row changed (or appeared, or went) since it was last synced, with the current rows and last synced hashes. */
export async function changedSince(
  state: StateStore,
  object: string,
  side: HashedSide,
  keys: readonly string[],
): Promise<{
  readonly changed: string[];
  readonly current: Map<string, string>;
  readonly rows: Map<string, HashedRow>;
  readonly synced: Map<string, string>;
}> {
  const rows = await currentRows(side, keys);
  const current = new Map([...rows].map(([k, row]) => [k, row.hash]));
  const synced = await state.syncRowHashes(side.scope, object, keys);
  return { changed: keys.filter((k) => current.get(k) !== synced.get(k)), current, rows, synced };
}

/** The target side of an object as two-way sync hashes it. */
export function targetSideOf(ctx: SyncContext, object: ObjectPlan): HashedSide {
  return {
    connector: ctx.target,
    table: ctx.tables.get(object.name)!,
    key: object.target.key,
    columns: object.target.columns,
    scope: TARGET_SCOPE,
  };
}

/**
 * Of these source keys of `child` (rows that reference a row just applied, to bring along), the
 * ones safe to apply again from the source: without a target row (rejected while the parent was
 * missing, or deleted with it), or whose target row equals the one last synced. A target row
 * edited since is left alone: the reverse direction reads it next.
 */
export async function untouchedInTarget(ctx: SyncContext, child: string, sourceKeys: readonly string[]): Promise<string[]> {
  const ids = await ctx.state.lookupIds(child, sourceKeys);
  if (ids.size === 0) return [...sourceKeys];
  const object = ctx.plan.objects.find((o) => o.name === child)!;
  const target = await changedSince(ctx.state, child, targetSideOf(ctx, object), [...new Set(ids.values())]);
  const edited = new Set(target.changed.filter((k) => target.current.has(k)));
  return sourceKeys.filter((k) => !edited.has(ids.get(k) ?? ''));
}
