import type { SyncContext } from './sync-context.js';
import { differingFields, readReverse } from './two-way-apply.js';
import type { TwoWayObject } from './two-way-conflicts.js';
import { fieldBases, fieldDigest, putFieldBases } from './two-way-field-base.js';
import { currentHashes } from './two-way-hashes.js';

/**
 * What one direction propagated, as read BEFORE it wrote. After the write, the rows are read
 * again to be remembered; if someone wrote to either side in between (or the write was refused),
 * the two sides no longer agree, and what is remembered must not swallow that write: see
 * `rememberSynced`.
 */
export interface Propagated {
  readonly from: 'source' | 'target';
  /** Row hashes of the side propagated from, by that side's key. */
  readonly hashes: ReadonlyMap<string, string>;
  /** Per source key, each reverse field's value as propagated (the merge's result), in source terms. */
  readonly texts: ReadonlyMap<string, readonly (string | null)[]>;
  /** Source keys whose write the other side refused (rejected): their field bases stay where the sides differ. */
  readonly refused?: ReadonlySet<string>;
}

/**
 * Stores both sides' rows of these keys as last synced: row hashes (`two-way:source` by source
 * key, `two-way:target` by target key, with the target keys the source keys map to) and field
 * bases (by source key); a key without a row is forgotten. A pair whose sides agree through the
 * mapping is remembered as it is now. A pair that disagrees right after `propagated` wrote it was
 * written to again in between (or refused the write): the side propagated from is remembered as
 * it was read before the write, the other side keeps its stored hash, and each differing field's
 * base is the value propagated — so the later write still reads as a change of its own side, and
 * the next round carries it over (instead of taking it as synced and losing it).
 */
export async function rememberSynced(
  ctx: SyncContext,
  object: TwoWayObject,
  sourceKeys: readonly string[],
  targetKeys: readonly string[],
  propagated?: Propagated,
): Promise<void> {
  const { mapping } = object;
  const { name } = mapping.object;
  const ids = await ctx.state.lookupIds(name, sourceKeys);
  const read = await readReverse(ctx, mapping, object.sourceSide, [...ids.values()]);
  const apart = new Set(read.rows.filter((row) => differingFields(mapping, row).length > 0).map((row) => row.sourceKey));
  const apartTargets = new Set([...apart].map((k) => ids.get(k)!));
  const allTargets = [...new Set([...targetKeys, ...ids.values()])];
  const hashes = async (side: 'source' | 'target', keys: readonly string[], isApart: ReadonlySet<string>) => {
    const now = await currentHashes(side === 'source' ? object.source : object.target, keys);
    return keys.flatMap((key) => {
      if (!propagated || !isApart.has(key)) return [{ key, hash: now.get(key) ?? null }];
      if (propagated.from !== side) return [];
      return [{ key, hash: propagated.hashes.get(key) ?? now.get(key) ?? null }];
    });
  };
  await ctx.state.putSyncRowHashes(object.source.scope, name, await hashes('source', sourceKeys, apart));
  await ctx.state.putSyncRowHashes(object.target.scope, name, await hashes('target', allTargets, apartTargets));

  const stored = await fieldBases(ctx.state, name, sourceKeys);
  const rows = new Map(read.rows.map((row) => [row.sourceKey, row]));
  const offset = mapping.object.source.key.length;
  await putFieldBases(
    ctx.state,
    name,
    sourceKeys.map((key) => {
      const row = rows.get(key);
      if (!row) return { key, base: null };
      const sent = propagated?.refused?.has(key) ? undefined : propagated?.texts.get(key);
      const base = mapping.fields.map((f, i) => {
        const source = row.texts[offset + i];
        const target = row.want[offset + i];
        if (!propagated || target === undefined || target === source) return [f.source, fieldDigest(source)];
        return [f.source, (sent ? fieldDigest(sent[i]) : stored.get(key)?.[f.source]) ?? fieldDigest(source)];
      });
      return { key, base: Object.fromEntries(base) };
    }),
  );
}
