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
 * Settles records deleted on one side (`deletedIn`) and edited on the other since the last sync,
 * each recorded as one conflict on the field `(row)` (values `updated` / `deleted`). The deletion
 * wins only under the policy that favours its side (`target_wins` for a target delete,
 * `source_wins` for a source delete); under every other policy the edit wins and the row is
 * created again on the side that deleted it (a deletion has no updatedAt to be newer, and owns no
 * field). Returns the source keys whose deletion wins.
 */
export async function resolveDeleteConflicts(
  ctx: SyncContext,
  object: TwoWayObject,
  sourceKeys: readonly string[],
  deletedIn: 'source' | 'target',
): Promise<string[]> {
  const deletionWins = syncPolicyOf(object.mapping.object).conflict === `${deletedIn}_wins`;
  const winner = deletionWins === (deletedIn === 'target') ? 'target_wins' : 'source_wins';
  await ctx.state.addConflicts(
    ctx.pass.runId,
    sourceKeys.map((sourceKey) => ({
      object: object.mapping.object.name,
      sourceKey,
      field: ROW_CONFLICT,
      sourceValue: deletedIn === 'source' ? 'deleted' : 'updated',
      targetValue: deletedIn === 'target' ? 'deleted' : 'updated',
      resolution: winner,
    })),
  );
  return deletionWins ? [...sourceKeys] : [];
}
