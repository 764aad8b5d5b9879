import { CrmError, isCrmError } from '../../core/errors/index.js';
import type { FieldPlan, ObjectPlan } from '../../mapping/plan/plan-types.js';
import { compilePipeline } from '../../mapping/transforms/compile-pipeline.js';
import type { TransformContext, TransformFn } from '../../mapping/transforms/transform.js';
import { syncPolicyOf } from './sync-policy.js';

/** How one target field is written back to its source column. */
export type ReverseField =
  /** A copy of the target value, through the inverse of the field's transforms when it has any. */
  | { readonly kind: 'copy'; readonly target: string; readonly source: string; readonly convert?: TransformFn }
  /** A reference: the target value is a key of `object` in the target, written back as that row's source key. */
  | { readonly kind: 'ref'; readonly target: string; readonly source: string; readonly object: string };

/** The target → source direction of an object's mapping, derived once per run. */
export interface ReverseMapping {
  readonly object: ObjectPlan;
  /** Invariant: each source column is written by at most one field, and it is a column of the base table. */
  readonly fields: readonly ReverseField[];
}

/**
 * Derives the reverse mapping of an object. Left out: the target key (rows are found back
 * through the id map), constants (no source column) and fields owned by the source
 * (`sync.owners`). Every other field must invert — a plain column copy, a `ref:`, or transforms
 * that all have an `inverse` — or the object refuses two-way with CRM_M5001 naming the field.
 */
export function reverseMappingOf(object: ObjectPlan, ctx: TransformContext): ReverseMapping {
  const { owners } = syncPolicyOf(object);
  const fields: ReverseField[] = [];
  const written = new Set<string>();
  for (const field of object.fields) {
    if (object.target.key.includes(field.target) || owners[field.target] === 'source' || field.from.length === 0) continue;
    const reverse = reverseField(object, field, written, ctx);
    written.add(reverse.source);
    fields.push(reverse);
  }
  return { object, fields };
}

/**
 * The fields that build the target key, reversed like the others, for rows created in the target
 * (the source row must map forward to the same target key). A string says why they cannot be:
 * such rows then do not sync back.
 */
export function reverseKeyFields(object: ObjectPlan, ctx: TransformContext): ReverseField[] | string {
  if (object.target.generateKey === 'uuid') return 'its target key is generated from the source key';
  const fields: ReverseField[] = [];
  for (const target of object.target.key) {
    const field = object.fields.find((f) => f.target === target);
    if (!field || field.from.length === 0) return `its target key field ${target} is not read from the source`;
    try {
      fields.push(reverseField(object, field, new Set(fields.map((f) => f.source)), ctx));
    } catch (err) {
      if (isCrmError(err) && err.code === 'CRM_M5001') return err.message;
      throw err;
    }
  }
  return fields;
}

function reverseField(object: ObjectPlan, field: FieldPlan, written: ReadonlySet<string>, ctx: TransformContext): ReverseField {
  const refuse = (why: string) =>
    new CrmError(
      'CRM_M5001',
      `objects.${object.name}.fields.${field.target} cannot sync back to the source (${why}): declare it owned by the source (sync.owners: { ${field.target}: source }) or sync ${object.name} one way`,
    );
  const source = field.from[0];
  if (field.lookup) throw refuse('it is a lookup');
  if (field.from.length > 1) throw refuse('it is built from several source columns');
  if (!object.source.columns.includes(source)) throw refuse(`${source} is a column of a joined table`);
  if (written.has(source)) throw refuse(`another field already writes ${source} back`);
  if (field.ref) {
    if (field.ref.when) throw refuse('it is a conditional reference');
    if (field.steps.length > 0) throw refuse('it is a reference with transforms');
    return { kind: 'ref', target: field.target, source, object: field.ref.object };
  }
  if (field.steps.length === 0) return { kind: 'copy', target: field.target, source };
  try {
    return {
      kind: 'copy',
      target: field.target,
      source,
      convert: compilePipeline(field.steps, ctx, { inputs: field.from, inverse: true }),
    };
  } catch (err) {
    if (isCrmError(err) && err.code === 'CRM_M5001') throw refuse(err.message);
    throw err;
  }
}
