import type { Value } from '../../core/types.js';
import type { ConflictRecord } from '../../state/state-store.js';
import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import { typedKey } from './target-rows.js';
import { applyTargetKeys, differingFields, readReverse, type SourceSide } from './two-way-apply.js';
import type { HashedSide } from './two-way-hashes.js';
import type { SourceKeyRule } from './two-way-insert.js';
import type { ReverseMapping } from './two-way-mapping.js';

/** An object as two-way sync sees it: its reverse mapping and both sides as hashed. */
export interface TwoWayObject {
  readonly mapping: ReverseMapping;
  readonly source: HashedSide;
  readonly target: HashedSide;
  readonly sourceSide: SourceSide;
  /** How its rows created in the target get their source key. */
  readonly keyRule: SourceKeyRule;
}

/**
 * Settles records changed on both sides since the last sync (`sourceKeys`, with their target
 * keys in `ids`), before the forward apply of the same keys. Every field whose values differ
 * (the source's, and the target's mapped back) is recorded with both values and its resolution
 * under the object's `sync.conflict`:
 *   - source_wins: nothing more here; the forward apply overwrites the target;
 *   - target_wins, or newest_wins where the target's updatedAt is later: the target row is
 *     applied to the source first, so the forward apply then finds them equal;
 *   - field_owner: only the fields owned by the target (`sync.owners`) are applied to the source
 *     first; the forward apply sets every other field from the source.
 * A tie under newest_wins goes to the source. Returns the number of conflicts recorded.
 */
export async function resolveConflicts(
  ctx: SyncContext,
  object: TwoWayObject,
  sourceKeys: readonly string[],
  ids: ReadonlyMap<string, string>,
): Promise<number> {
  const { mapping } = object;
  const policy = syncPolicyOf(mapping.object);
  const targetKeys = sourceKeys.map((k) => ids.get(k)!);
  const read = await readReverse(ctx, mapping, object.sourceSide, targetKeys);
  const newer = policy.conflict === 'newest_wins' ? await targetNewer(object, sourceKeys, ids) : new Set<string>();
  const targetWins = (sourceKey: string, field: string): boolean =>
    policy.conflict === 'target_wins' ||
    (policy.conflict === 'newest_wins' && newer.has(sourceKey)) ||
    (policy.conflict === 'field_owner' && policy.owners[field] === 'target');
  const offset = mapping.object.source.key.length;
  const records: ConflictRecord[] = read.rows.flatMap((row) =>
    differingFields(mapping, row).map((i) => {
      const field = mapping.fields[i].target;
      return {
        object: mapping.object.name,
        sourceKey: row.sourceKey,
        field,
        sourceValue: row.texts[offset + i],
        targetValue: row.want[offset + i] ?? null,
        resolution: targetWins(row.sourceKey, field) ? 'target_wins' : 'source_wins',
      };
    }),
  );
  if (records.length === 0) return 0;
  const winning = [...new Set(records.filter((r) => r.resolution === 'target_wins').map((r) => r.sourceKey))];
  const fields = policy.conflict === 'field_owner' ? mapping.fields.filter((f) => policy.owners[f.target] === 'target') : mapping.fields;
  await applyTargetKeys(
    ctx,
    { object: mapping.object, fields },
    object.sourceSide,
    winning.map((k) => ids.get(k)!),
  );
  await ctx.state.addConflicts(ctx.pass.runId, records);
  return records.length;
}

/** The field a row-level conflict is recorded under (a row deleted on one side, edited on the other). */
export const ROW_CONFLICT = '(row)';

/**
 * Settles records edited in the source and deleted in the target since the last sync. Under
 * `target_wins` the deletion wins: the keys returned are left out of the forward apply, and the
 * reverse direction then deletes the source rows (children first). Under every other policy the
 * edit wins: the forward apply creates the target row again (a deletion has no updatedAt to be
 * newer, and owns no field). Each is recorded as one conflict on the field `(row)`.
 */
export async function resolveDeleteConflicts(ctx: SyncContext, object: TwoWayObject, sourceKeys: readonly string[]): Promise<string[]> {
  const deletionWins = syncPolicyOf(object.mapping.object).conflict === 'target_wins';
  await ctx.state.addConflicts(
    ctx.pass.runId,
    sourceKeys.map((sourceKey) => ({
      object: object.mapping.object.name,
      sourceKey,
      field: ROW_CONFLICT,
      sourceValue: 'updated',
      targetValue: 'deleted',
      resolution: deletionWins ? 'target_wins' : 'source_wins',
    })),
  );
  return deletionWins ? [...sourceKeys] : [];
}

/** Source keys whose target row's updatedAt is later than the source row's (a key at a time: rows are paired by key). */
async function targetNewer(object: TwoWayObject, sourceKeys: readonly string[], ids: ReadonlyMap<string, string>): Promise<Set<string>> {
  const { updatedAt } = syncPolicyOf(object.mapping.object);
  const stamp = async (side: HashedSide, column: string, key: string) => {
    const read = await side.connector.readByKeys(side.table.name, side.key, [typedKey(side.table, side.key, key)], [column]);
    return instant(read.rows[0]?.[0]);
  };
  const out = new Set<string>();
  for (const key of sourceKeys) {
    const source = await stamp(object.source, updatedAt.source!, key);
    const target = await stamp(object.target, updatedAt.target!, ids.get(key)!);
    if (target !== undefined && (source === undefined || target > source)) out.add(key);
  }
  return out;
}

/** A timestamp value as milliseconds since the epoch (undefined for NULL); a naive timestamp is read as UTC on both sides alike. */
function instant(value: Value | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
