import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { ObjectSpec } from '../../mapping/project/project-schema.js';

/** An object's `sync:` block with its defaults filled in. */
export interface SyncPolicy {
  readonly deletes: 'delete' | 'soft_delete' | 'ignore';
  /** Source column whose truthy value means "deleted" (e.g. `deleted`), and the target flag to set. */
  readonly softDelete: { readonly source?: string; readonly target?: string };
  readonly conflict: 'source_wins' | 'target_wins' | 'newest_wins' | 'field_owner';
  readonly updatedAt: { readonly source?: string; readonly target?: string };
  /** target field → the side that owns it (field_owner). */
  readonly owners: Readonly<Record<string, 'source' | 'target'>>;
}

/** The plan keeps the validated `sync:` block as plain data; this gives it its type and defaults. */
export function syncPolicyOf(object: ObjectPlan): SyncPolicy {
  const spec = object.sync as ObjectSpec['sync'];
  return {
    deletes: spec?.deletes ?? 'delete',
    softDelete: spec?.softDelete ?? {},
    conflict: spec?.conflict ?? 'source_wins',
    updatedAt: spec?.updatedAt ?? {},
    owners: spec?.owners ?? {},
  };
}

/** The object as sync reads it: its mapped columns plus the soft-delete flag, which the mapping may not use. */
export function readView(object: ObjectPlan): ObjectPlan {
  const flag = syncPolicyOf(object).softDelete.source;
  if (!flag || object.source.columns.includes(flag)) return object;
  return { ...object, source: { ...object.source, columns: [...object.source.columns, flag] } };
}
