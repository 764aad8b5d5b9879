import type { TableSchema } from '../core/types.js';
import { POLYMORPHIC_TYPE_COLUMNS_BY_ID, POLYMORPHIC_TYPE_SUFFIXES } from './crm-vocabulary.js';

export interface PolymorphicPair {
  readonly table: string;
  readonly typeColumn: string;
  readonly idColumn: string;
}

const ID_COLUMN = /^(.+?)_?id$/i;

/**
 * Pairs a `<prefix>_id` column with a `<prefix>_type` / `_module` / … column of the same table
 * (`parent_type`+`parent_id`, `bean_module`+`bean_id`, `relatedType`+`relatedId`), or Odoo's
 * `model`+`res_id` (POLYMORPHIC_TYPE_COLUMNS_BY_ID). Names only: the
 * caller confirms a pair by matching the type column's values to tables.
 */
export function findPolymorphicPairs(table: TableSchema): PolymorphicPair[] {
  const byName = new Map(table.columns.map((c) => [c.name.toLowerCase().replace(/_/g, ''), c.name]));
  const pairs: PolymorphicPair[] = [];
  for (const column of table.columns) {
    const prefix = ID_COLUMN.exec(column.name)?.[1];
    if (!prefix) continue;
    const key = prefix.toLowerCase().replace(/_/g, '');
    const bare = POLYMORPHIC_TYPE_COLUMNS_BY_ID[column.name.toLowerCase()] ?? [];
    const typeColumn = [...POLYMORPHIC_TYPE_SUFFIXES.map((suffix) => `${key}${suffix}`), ...bare.map((n) => n.replace(/_/g, ''))]
      .map((name) => byName.get(name))
      .find((name) => name !== undefined);
    if (typeColumn) pairs.push({ table: table.name, typeColumn, idColumn: column.name });
  }
  return pairs;
}
