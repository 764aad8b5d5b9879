import type { CanonicalType, TableSchema } from '../../core/types.js';
import type { SemanticKind, TargetModel } from '../models/model-types.js';
import { FIELD_SYNONYM_GROUPS } from './field-vocabulary.js';
import { nameKey, tableWords } from './names.js';
import { OBJECT_CONCEPTS } from './object-vocabulary.js';

/** A target field as suggest sees it, whether it comes from the built-in model or from a live database. */
export interface TargetField {
  readonly name: string;
  readonly type: CanonicalType;
  readonly kind?: SemanticKind;
  readonly required: boolean;
  /** Name keys (see names.ts) of the field's own name and every synonym. */
  readonly keys: ReadonlySet<string>;
  /** The target table a reference field points at. */
  readonly references?: string;
}

export interface TargetTable {
  readonly name: string;
  /** Singular words the table is known by (its own name's and its concept's). */
  readonly words: ReadonlySet<string>;
  readonly key: readonly string[];
  readonly fields: readonly TargetField[];
}

const groupsByKey = new Map<string, string[]>();
for (const group of FIELD_SYNONYM_GROUPS)
  for (const name of group) groupsByKey.set(nameKey(name), [...(groupsByKey.get(nameKey(name)) ?? []), ...group]);

function fieldKeys(name: string, synonyms: readonly string[]): Set<string> {
  return new Set([name, ...synonyms, ...(groupsByKey.get(nameKey(name)) ?? [])].map(nameKey));
}

function tableWordsWithConcept(name: string, extra: readonly string[]): Set<string> {
  const words = new Set([...tableWords(name), ...extra.flatMap(tableWords)]);
  for (const synonyms of Object.values(OBJECT_CONCEPTS)) if (synonyms.some((s) => words.has(s))) for (const s of synonyms) words.add(s);
  return words;
}

export function catalogFromModel(model: TargetModel): TargetTable[] {
  return model.tables.map((t) => ({
    name: t.name,
    // The model lists its own synonyms; concept lists are not added, so `tasks` does not also claim `meeting`.
    words: new Set([...tableWords(t.name), ...t.synonyms.flatMap(tableWords)]),
    key: [t.key],
    fields: t.fields.map((f) => ({
      name: f.name,
      type: f.type,
      kind: f.kind,
      required: f.required,
      keys: fieldKeys(f.name, f.synonyms),
      ...(f.references ? { references: f.references.table } : {}),
    })),
  }));
}

export function catalogFromSchema(tables: readonly TableSchema[]): TargetTable[] {
  return tables.map((t) => ({
    name: t.name,
    words: tableWordsWithConcept(t.name, []),
    key: t.primaryKey,
    // Columns the database computes, and types with no canonical form, are never suggested.
    fields: t.columns
      .filter((c) => t.primaryKey.includes(c.name) || (!c.generated && c.type.kind !== 'opaque'))
      .map((c) => {
        const fk = t.foreignKeys.find((k) => k.columns.length === 1 && k.columns[0] === c.name);
        return {
          name: c.name,
          type: c.type,
          required: !c.nullable && !c.autoIncrement && c.default === undefined,
          keys: fieldKeys(c.name, []),
          ...(fk ? { references: fk.referencedTable, kind: 'reference' as const } : {}),
        };
      }),
  }));
}
