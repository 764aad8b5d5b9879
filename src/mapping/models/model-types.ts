import type { CanonicalType, ColumnSchema, ForeignKey, IndexSchema, TableSchema } from '../../core/types.js';

/**
 * What a target field means, independent of its name: suggest matches a source column to a
 * target field by these kinds (a column full of e-mail addresses wants an `email` field), and
 * picks the transform that produces the kind.
 */
export const SEMANTIC_KINDS = [
  'id',
  'reference',
  'name',
  'first_name',
  'last_name',
  'salutation',
  'job_title',
  'department',
  'email',
  'email_list',
  'phone',
  'mobile_phone',
  'fax',
  'phone_list',
  'url',
  'street',
  'city',
  'state',
  'postal_code',
  'country',
  'money_amount',
  'currency',
  'stage',
  'status',
  'priority',
  'probability',
  'category',
  'lead_source',
  'industry',
  'employees',
  'date',
  'datetime',
  'created_at',
  'updated_at',
  'description',
  'boolean',
  'integer',
  'text',
  'user_name',
] as const;

export type SemanticKind = (typeof SEMANTIC_KINDS)[number];

/** A reference from a model field to another model table (always its `id`). */
export interface ModelReference {
  readonly table: string;
}

export interface ModelField {
  readonly name: string;
  readonly type: CanonicalType;
  readonly kind: SemanticKind;
  /** NOT NULL in the designed table; suggest reports it when nothing maps to it. */
  readonly required: boolean;
  /** Other names of the field in CRMs and exports (any spelling; suggest normalises them). */
  readonly synonyms: readonly string[];
  readonly references?: ModelReference;
  readonly comment?: string;
}

export interface ModelTable {
  readonly name: string;
  /** Names of the object in other CRMs (account, organization, …), matched against source tables. */
  readonly synonyms: readonly string[];
  /** The field every other field belongs to (a uuid primary key). */
  readonly key: string;
  readonly fields: readonly ModelField[];
  /** Column sets that identify a row (a link table's two sides). */
  readonly uniqueKeys?: readonly (readonly string[])[];
}

export interface TargetModel {
  readonly name: string;
  readonly tables: readonly ModelTable[];
}

/** The canonical TableSchema of a model table: its key, a nullable FK and an index per reference. */
export function modelTableSchema(table: ModelTable): TableSchema {
  const columns: ColumnSchema[] = table.fields.map((f) => ({
    name: f.name,
    type: f.type,
    nativeType: '',
    nullable: !f.required && f.name !== table.key,
    ...(f.comment ? { comment: f.comment } : {}),
  }));
  const refs = table.fields.filter((f) => f.references);
  const foreignKeys: ForeignKey[] = refs.map((f) => ({
    name: `fk_${table.name}_${f.name}`,
    columns: [f.name],
    referencedTable: f.references!.table,
    referencedColumns: ['id'],
  }));
  const indexes: IndexSchema[] = refs.map((f) => ({ name: `idx_${table.name}_${f.name}`, columns: [f.name], unique: false }));
  return { name: table.name, columns, primaryKey: [table.key], uniqueKeys: table.uniqueKeys ?? [], foreignKeys, indexes };
}

export function modelSchemas(model: TargetModel): TableSchema[] {
  return model.tables.map(modelTableSchema);
}

export function findModelTable(model: TargetModel, name: string): ModelTable | undefined {
  return model.tables.find((t) => t.name === name);
}
