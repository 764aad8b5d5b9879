import type { CanonicalType, ColumnSchema, DatabaseSchema, ForeignKey, IndexSchema, TableSchema } from '../../core/types.js';
import { findTable } from '../../core/types.js';
import type { Analysis, ColumnProfile } from '../../schema/analysis-types.js';
import { findModelTable, modelTableSchema, type TargetModel } from '../models/model-types.js';
import { MODERN_CRM } from '../models/modern-crm.js';
import type { FieldPlan, ObjectPlan, Plan } from '../plan/plan-types.js';
import { sizedText } from './text-size.js';
import { stepsOutput, type ValueFlow } from './transform-output.js';
import { parseTypeText } from './type-text.js';

export interface DesignOptions {
  /** The built-in model whose tables are used as they are when the plan targets them (default: modern). */
  readonly model?: TargetModel;
  /** Tables already in the target: a model table's foreign key may point at them. */
  readonly existingTables?: ReadonlySet<string>;
}

/**
 * The target tables a plan needs, for targets that do not exist yet. A table of the built-in
 * model is designed as the model declares it, when every column the plan writes is the model's.
 * Any other table gets, per column: the declared `type:`, else the type its last transform
 * produces (sized from the analysis when there is one), else the source column's type. A `ref:`
 * column takes the type of the referenced object's key and gets a nullable foreign key and an
 * index. Pure: the caller introspects the source and prints or applies the result.
 */
export function designTargetSchema(plan: Plan, source: DatabaseSchema, analysis?: Analysis, options: DesignOptions = {}): TableSchema[] {
  const model = options.model ?? MODERN_CRM;
  const design = new Designer(plan, source, analysis);
  const byTable = new Map<string, ObjectPlan[]>();
  for (const object of plan.objects) byTable.set(object.target.table, [...(byTable.get(object.target.table) ?? []), object]);
  return [...byTable].map(([table, objects]) => {
    const modelTable = findModelTable(model, table);
    const written = new Set(objects.flatMap((o) => o.target.columns));
    if (modelTable && [...written].every((c) => modelTable.fields.some((f) => f.name === c))) {
      // A model reference to a table that neither the plan loads nor the target has (owner_id →
      // users when users are not migrated) stays a plain column: its constraint could not be created.
      const schema = modelTableSchema(modelTable);
      const reachable = (t: string) => byTable.has(t) || (options.existingTables?.has(t) ?? false);
      return { ...schema, foreignKeys: schema.foreignKeys.filter((fk) => reachable(fk.referencedTable)) };
    }
    return design.table(table, objects);
  });
}

class Designer {
  private readonly objects: ReadonlyMap<string, ObjectPlan>;

  constructor(
    plan: Plan,
    private readonly source: DatabaseSchema,
    private readonly analysis: Analysis | undefined,
  ) {
    this.objects = new Map(plan.objects.map((o) => [o.name, o]));
  }

  table(name: string, objects: readonly ObjectPlan[]): TableSchema {
    const columns = new Map<string, ColumnSchema>();
    const foreignKeys: ForeignKey[] = [];
    for (const object of objects) {
      for (const column of object.target.columns) {
        const field = object.fields.find((f) => f.target === column);
        const isKey = object.target.key.includes(column);
        const type = field ? this.fieldType(object, field) : this.keyType(object, column);
        const earlier = columns.get(column);
        columns.set(column, {
          name: column,
          type: earlier ? wider(earlier.type, type) : type,
          nativeType: '',
          nullable: !isKey && !(field?.required ?? false) && (earlier?.nullable ?? true),
        });
        if (field?.ref && !foreignKeys.some((fk) => fk.columns[0] === column)) {
          const referenced = this.objects.get(field.ref.object)!;
          foreignKeys.push({
            name: `fk_${name}_${column}`,
            columns: [column],
            referencedTable: referenced.target.table,
            referencedColumns: referenced.target.key,
          });
        }
      }
    }
    const indexes: IndexSchema[] = foreignKeys.map((fk) => ({ name: `idx_${name}_${fk.columns[0]}`, columns: fk.columns, unique: false }));
    return { name, columns: [...columns.values()], primaryKey: objects[0].target.key, uniqueKeys: [], foreignKeys, indexes };
  }

  /** The type of an object's target key column: a generated key is a uuid, else the mapped source key's type. */
  keyType(object: ObjectPlan, column: string): CanonicalType {
    if (object.target.generateKey === 'uuid') return { kind: 'uuid' };
    const field = object.fields.find((f) => f.target === column);
    return field ? this.fieldType(object, field) : { kind: 'text' };
  }

  fieldType(object: ObjectPlan, field: FieldPlan): CanonicalType {
    if (field.type) return parseTypeText(field.type);
    if (field.ref) {
      const referenced = this.objects.get(field.ref.object)!;
      // A self-reference asks for its own object's key: resolve it without recursing through this field.
      return this.keyType(referenced, referenced.target.key[0]);
    }
    const flow = stepsOutput(field.steps, this.inputFlow(object, field));
    if (flow.type) return flow.type;
    if (field.constant !== undefined) return constantType(field.constant);
    return { kind: 'text' };
  }

  /** What reaches the first step: the source column (base, joined, or looked up), with its profile. */
  private inputFlow(object: ObjectPlan, field: FieldPlan): ValueFlow {
    if (field.lookup) {
      const table = field.lookup.through?.table ?? field.lookup.table;
      const flow = this.columnFlow(table, field.lookup.value);
      return field.lookup.pick === 'first' ? flow : { type: { kind: 'multiselect' } };
    }
    if (field.from.length === 0) return { type: undefined };
    const flows = field.from.map((c) => this.sourceColumnFlow(object, c));
    if (flows.length === 1) return flows[0];
    // Several columns feed one value (concat, template): its length is at most their sum.
    const lengths = flows.map((f) => f.maxLength ?? (f.type?.kind === 'text' ? f.type.length : undefined));
    const total = lengths.every((l) => l !== undefined) ? lengths.reduce((a, b) => a! + b! + 1, 0) : undefined;
    return { type: total === undefined ? { kind: 'text' } : sizedText(total), ...(total !== undefined ? { maxLength: total } : {}) };
  }

  private sourceColumnFlow(object: ObjectPlan, column: string): ValueFlow {
    if (findTable(this.source, object.source.table)?.columns.some((c) => c.name === column))
      return this.columnFlow(object.source.table, column);
    for (const join of object.source.joins) {
      if (!column.startsWith(join.prefix)) continue;
      const flow = this.columnFlow(join.table, column.slice(join.prefix.length));
      if (flow.type) return flow;
    }
    return { type: undefined };
  }

  private columnFlow(table: string, column: string): ValueFlow {
    const schema = findTable(this.source, table)?.columns.find((c) => c.name === column);
    const profile = this.profile(table, column);
    const type = profile && isAllUuid(profile) ? ({ kind: 'uuid' } as const) : (profile?.inferredType ?? schema?.type);
    return {
      type,
      ...(profile?.maxLength !== undefined ? { maxLength: profile.maxLength } : {}),
      ...(profile?.min !== undefined ? { min: profile.min } : {}),
      ...(profile?.max !== undefined ? { max: profile.max } : {}),
    };
  }

  private profile(table: string, column: string): ColumnProfile | undefined {
    return this.analysis?.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
  }
}

/** Sugar's char(36) GUIDs: text whose every value is a UUID is designed as uuid. */
function isAllUuid(profile: ColumnProfile): boolean {
  const uuid = profile.patterns.find((p) => p.name === 'uuid');
  return profile.type.kind === 'text' && uuid !== undefined && uuid.share === 1 && profile.emptyCount === 0;
}

function constantType(value: string | number | boolean | null): CanonicalType {
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'integer' } : { kind: 'float' };
  return sizedText(value === null ? undefined : value.length);
}

/** Two objects writing one column: the longer text, the union of enum values; otherwise the first's type. */
function wider(a: CanonicalType, b: CanonicalType): CanonicalType {
  if (a.kind === 'text' && b.kind === 'text')
    return a.length === undefined || b.length === undefined ? { kind: 'text' } : { kind: 'text', length: Math.max(a.length, b.length) };
  if (a.kind === 'enum' && b.kind === 'enum') return { kind: 'enum', values: [...new Set([...a.values, ...b.values])] };
  return a;
}
