import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import type { SourceSide } from './two-way-apply.js';
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
