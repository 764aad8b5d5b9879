import { CrmError } from '../../core/errors/index.js';
import type { CanonicalKind, CanonicalType, DatabaseSchema, TableSchema, Value } from '../../core/types.js';
import { compileObjectMapper, lookupColumn } from '../row-mapper.js';
import { compilePipeline } from '../transforms/compile-pipeline.js';
import type { TransformContext } from '../transforms/transform.js';
import { TransformError } from '../transforms/transform.js';
import type { ObjectPlan, Plan, PlanProblem } from './plan-types.js';

/** Distinct values of a source column, when known (from `analyze`: the picklist top values). */
export type DistinctValues = (table: string, column: string) => readonly string[] | undefined;

/**
 * Pre-flight checks, run by `plan` and before any write of `migrate`: mapped source columns
 * exist, every transform compiles, required target columns are mapped, source and target types
 * can convert, and every distinct value of a picklist-mapped column has a mapping.
 */
export function preflight(
  plan: Plan,
  inputs: { source: DatabaseSchema; target?: DatabaseSchema; distinctValues?: DistinctValues; transformContext?: TransformContext },
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const ctx: TransformContext = {
    timeZone: plan.source.timeZone,
    ...(plan.options.defaultCountry ? { defaultCountry: plan.options.defaultCountry } : {}),
    ...inputs.transformContext,
  };
  for (const object of plan.objects) {
    const base = inputs.source.tables.find((t) => t.name === object.source.table);
    if (!base) {
      problems.push({
        severity: 'error',
        code: 'CRM_S3001',
        object: object.name,
        message: `source table ${object.source.table} does not exist`,
      });
      continue;
    }
    const available = new Set(base.columns.map((c) => c.name));
    for (const j of object.source.joins) {
      const side = inputs.source.tables.find((t) => t.name === j.table);
      if (!side)
        problems.push({ severity: 'error', code: 'CRM_S3001', object: object.name, message: `joined table ${j.table} does not exist` });
      else for (const c of side.columns) available.add(`${j.prefix}${c.name}`);
    }
    for (const f of object.fields) if (f.lookup) available.add(lookupColumn(f.target));
    for (const c of object.source.columns) {
      if (!available.has(c))
        problems.push({
          severity: 'error',
          code: 'CRM_M5002',
          object: object.name,
          message: `mapped source column ${object.source.table}.${c} does not exist`,
        });
    }
    for (const f of object.fields) {
      for (const c of f.from) {
        if (!available.has(c))
          problems.push({
            severity: 'error',
            code: 'CRM_M5002',
            object: object.name,
            field: f.target,
            message: `source column ${c} does not exist`,
          });
      }
    }
    try {
      compileObjectMapper(object, ctx);
    } catch (err) {
      problems.push({
        severity: 'error',
        // The mapping's own error (invalid params: M5001, unknown transform: M5006) names what to fix.
        code: err instanceof CrmError ? err.code : 'CRM_M5006',
        object: object.name,
        message: err instanceof Error ? err.message : String(err),
      });
      continue;
    }
    const targetTable = inputs.target?.tables.find((t) => t.name === object.target.table);
    if (targetTable) problems.push(...targetChecks(object, targetTable, base));
    if (inputs.distinctValues) problems.push(...picklistChecks(object, inputs.distinctValues, ctx));
  }
  return problems;
}

function targetChecks(object: ObjectPlan, target: TableSchema, source: TableSchema): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (target.triggers?.length) {
    problems.push({
      severity: 'warning',
      code: 'CRM_S3008',
      object: object.name,
      message: `not predicted by a dry run: triggers ${target.triggers.join(', ')} on table ${target.name}`,
    });
  }
  const mapped = new Set(object.target.columns);
  for (const c of object.target.columns) {
    if (!target.columns.some((t) => t.name === c)) {
      problems.push({
        severity: 'error',
        code: 'CRM_S3002',
        object: object.name,
        field: c,
        message: `target table ${target.name} has no column ${c}`,
      });
    }
  }
  for (const c of target.columns) {
    if (mapped.has(c.name) && c.generated) {
      problems.push({
        severity: 'error',
        code: 'CRM_S3006',
        object: object.name,
        field: c.name,
        message: `target column ${target.name}.${c.name} is computed by the database (generated, or identity GENERATED ALWAYS): remove the field, the database fills it`,
      });
    }
    if (!c.nullable && !mapped.has(c.name) && c.default === undefined && !c.autoIncrement && !c.generated) {
      problems.push({
        severity: 'error',
        code: 'CRM_M5003',
        object: object.name,
        field: c.name,
        message: `required target column ${target.name}.${c.name} is not mapped and has no default`,
      });
    }
  }
  for (const f of object.fields) {
    if (f.steps.length > 0 || f.ref || f.lookup || f.from.length !== 1) continue;
    const from = source.columns.find((c) => c.name === f.from[0]);
    const to = target.columns.find((c) => c.name === f.target);
    if (from?.type.kind === 'opaque' && to) {
      const problem = opaqueProblem(from.type, to.type, f.type);
      if (problem)
        problems.push({
          severity: 'error',
          code: 'CRM_S3005',
          object: object.name,
          field: f.target,
          message: `${source.name}.${from.name} ${problem}`,
        });
      continue;
    }
    if (from && to && !convertible(from.type.kind, to.type.kind)) {
      problems.push({
        severity: 'error',
        code: 'CRM_M5005',
        object: object.name,
        field: f.target,
        message: `${source.name}.${from.name} (${from.type.kind}) cannot become ${to.type.kind} without a transform`,
      });
    }
  }
  return problems;
}

type Opaque = Extract<CanonicalType, { kind: 'opaque' }>;

/**
 * An opaque source column (a type with no canonical form) travels as the database's own text or
 * bytes: into a column of the same type in the same kind of database, or, when the field declares
 * `type: text` (or `binary`), as that text (or those bytes). Anything else is a problem, named.
 */
function opaqueProblem(from: Opaque, to: CanonicalType, declared: string | undefined): string | undefined {
  if (to.kind === 'opaque' && to.dialect === from.dialect && to.native.toLowerCase() === from.native.toLowerCase()) return undefined;
  if (declared !== undefined && /^(text|binary)\b/.test(declared) && (to.kind === 'text' || to.kind === 'binary')) return undefined;
  const into = to.kind === 'opaque' ? `${to.dialect} ${to.native}` : to.kind;
  return `has the ${from.dialect} type ${from.native}, which crmbridge has no canonical form for: it cannot become ${into}; map it to a ${from.dialect} column of type ${from.native}, declare type: text (or binary) on the field, or leave it unmapped`;
}

/** Kinds whose values convert without a transform (text converts per value, checked per row). */
const CONVERTIBLE: Record<CanonicalKind, readonly CanonicalKind[]> = {
  text: [
    'text',
    'integer',
    'bigint',
    'decimal',
    'float',
    'boolean',
    'date',
    'time',
    'timestamp',
    'timestamptz',
    'uuid',
    'json',
    'enum',
    'multiselect',
    'binary',
  ],
  enum: ['text', 'enum'],
  integer: ['integer', 'bigint', 'decimal', 'float', 'text', 'boolean'],
  bigint: ['bigint', 'decimal', 'text'],
  decimal: ['decimal', 'text'],
  float: ['float', 'text'],
  boolean: ['boolean', 'integer', 'text'],
  date: ['date', 'text'],
  time: ['time', 'text'],
  timestamp: ['timestamp', 'text'],
  timestamptz: ['timestamptz', 'text'],
  uuid: ['uuid', 'text'],
  json: ['json', 'text'],
  binary: ['binary'],
  multiselect: ['multiselect', 'json', 'text'],
  // Only into its very type (see `opaqueProblem`).
  opaque: [],
};

function convertible(from: CanonicalKind, to: CanonicalKind): boolean {
  return CONVERTIBLE[from].includes(to);
}

/** Runs every known distinct value of a picklist-mapped column through its pipeline. */
function picklistChecks(object: ObjectPlan, distinct: DistinctValues, ctx: TransformContext): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const f of object.fields) {
    const picklist = f.steps.find((s) => (typeof s === 'string' ? s : Object.keys(s as object)[0]) === 'picklist');
    if (picklist === undefined || f.from.length !== 1) continue;
    const declaredReject =
      typeof picklist === 'object' && (picklist as { picklist?: { unmapped?: string } }).picklist?.unmapped === 'reject';
    const values = distinct(object.source.table, f.from[0]);
    if (!values) continue;
    const fn = compilePipeline(f.steps, ctx, { inputs: f.from });
    const unmapped = values.filter((v) => {
      try {
        fn(v as Value);
        return false;
      } catch (err) {
        if (err instanceof TransformError && err.reason === 'unmapped_value') return true;
        return false;
      }
    });
    if (unmapped.length > 0) {
      problems.push({
        severity: declaredReject ? 'warning' : 'error',
        code: 'CRM_M5008',
        object: object.name,
        field: f.target,
        message: `values of ${object.source.table}.${f.from[0]} with no mapping${declaredReject ? ' (their rows will be rejected, as declared)' : ''}: ${unmapped.map((v) => JSON.stringify(v)).join(', ')}`,
      });
    }
  }
  return problems;
}
