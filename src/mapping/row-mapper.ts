import type { ErrorCode } from '../core/errors/index.js';
import { CrmError } from '../core/errors/index.js';
import type { Row, Value } from '../core/types.js';
import type { FieldPlan, ObjectPlan } from './plan/plan-types.js';
import { compilePipeline } from './transforms/compile-pipeline.js';
import type { TransformContext, TransformInput } from './transforms/transform.js';
import { TransformError } from './transforms/transform.js';

/** Why a row could not be mapped: the first failing field, with its raw value. */
export interface FieldFailure {
  readonly field: string;
  readonly raw: TransformInput;
  readonly reason: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export type MappedRow =
  | { readonly values: Value[]; readonly failure?: undefined }
  | { readonly values?: undefined; readonly failure: FieldFailure };

/** Name of the virtual column the engine fills with a lookup field's value before mapping. */
export const lookupColumn = (field: string): string => `@lookup:${field}`;

/**
 * The compiled form of one object's field mappings: transforms compiled once per run, column
 * positions resolved once per batch layout, and then one plain function per row. A reference
 * field yields the SOURCE key it points to (or NULL when its `when` does not hold); the engine
 * remaps it through the id map, because that needs the state store, batch-wise.
 */
export interface ObjectMapper {
  /** Target columns in the order of `MappedRow.values` (the plan's target columns). */
  readonly targetColumns: readonly string[];
  /** Positions in `targetColumns` of reference fields, with their plan. */
  readonly references: readonly { readonly index: number; readonly field: FieldPlan }[];
  bind(sourceColumns: readonly string[]): (row: Row) => MappedRow;
}

export function compileObjectMapper(object: ObjectPlan, ctx: TransformContext): ObjectMapper {
  const targetColumns = object.target.columns;
  const byTarget = new Map(object.fields.map((f) => [f.target, f]));
  const compiled = targetColumns.map((column) => {
    const field = byTarget.get(column);
    if (!field) return undefined;
    const inputs = field.lookup ? [lookupColumn(field.target)] : field.from;
    try {
      return { field, inputs, fn: compilePipeline(field.steps, ctx, { inputs }) };
    } catch (err) {
      if (err instanceof CrmError) {
        throw new CrmError(err.code, `field ${field.target}: ${err.message}`, { location: { object: object.name, column: field.target } });
      }
      throw err;
    }
  });
  const references = targetColumns.flatMap((column, index) => {
    const field = byTarget.get(column);
    return field?.ref ? [{ index, field }] : [];
  });

  return {
    targetColumns,
    references,
    bind(sourceColumns) {
      const position = (name: string): number => {
        const i = sourceColumns.indexOf(name);
        if (i < 0) {
          throw new CrmError('CRM_M5002', `source column ${name} is not in the source (columns: ${sourceColumns.join(', ')})`, {
            location: { object: object.name, table: object.source.table, column: name },
          });
        }
        return i;
      };
      const steps = compiled.map((c) => {
        if (!c) return (): Value => null; // a generated key column, filled by the engine
        const { field, inputs, fn } = c;
        if (field.constant !== undefined && inputs.length === 0) {
          const constant = field.constant;
          return (): Value => fn(constant);
        }
        const when = whenPredicate(field, position);
        const read = readInputs(inputs.map(position));
        return (row: Row): Value => (when && !when(row) ? null : fn(read(row)));
      });
      return (row: Row): MappedRow => {
        const values: Value[] = new Array(steps.length);
        for (let i = 0; i < steps.length; i++) {
          try {
            values[i] = steps[i](row);
          } catch (err) {
            return {
              failure: fieldFailure(targetColumns[i], err, compiled[i]?.inputs.length === 1 ? row[position(compiled[i]!.inputs[0])] : null),
            };
          }
        }
        return { values };
      };
    },
  };
}

function readInputs(positions: readonly number[]): (row: Row) => TransformInput {
  if (positions.length === 1) {
    const p = positions[0];
    return (row) => row[p];
  }
  return (row) => positions.map((p) => row[p]);
}

/** `when: {parent_type: Accounts}`: all listed source columns equal (as text) the given values. */
function whenPredicate(field: FieldPlan, position: (name: string) => number): ((row: Row) => boolean) | undefined {
  const when = field.ref?.when;
  if (!when) return undefined;
  const checks = Object.entries(when).map(([column, expected]) => ({ p: position(column), text: looseText(expected) }));
  return (row) => checks.every((c) => looseText(row[c.p]) === c.text);
}

/** Text for equality filters: booleans and 1/0 compare equal, so `deleted: 0` matches `false`. */
export function looseText(value: Value | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value === true) return '1';
  if (value === false) return '0';
  return String(value);
}

function fieldFailure(field: string, err: unknown, raw: Value): FieldFailure {
  if (err instanceof TransformError) return { field, raw: err.raw, reason: err.reason, code: err.code, message: err.message };
  if (err instanceof CrmError) return { field, raw, reason: 'invalid_value', code: err.code, message: err.message };
  throw err;
}
