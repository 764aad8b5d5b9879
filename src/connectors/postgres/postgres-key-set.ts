import type { Value } from '../../core/types.js';
import type { PostgresCatalog } from './postgres-catalog.js';
import { identList } from './postgres-identifiers.js';

/** A `WHERE` condition matching rows whose key is in a list, with its parameters. */
export interface KeySetCondition {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * `(k1, k2) IN (SELECT * FROM unnest($1::type1[], $2::type2[]))`: one array parameter per key
 * column whatever the number of keys (no 65,535-parameter limit), typed with the columns' own
 * catalog types so the key index is used. Composite keys work the same way.
 */
export async function keySetCondition(
  catalog: PostgresCatalog,
  table: string,
  keyColumns: readonly string[],
  keys: readonly (readonly Value[])[],
): Promise<KeySetCondition> {
  const types = await catalog.typesOf(table, keyColumns);
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`);
  return {
    sql: `(${identList(keyColumns)}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`,
    params: keyColumns.map((_, i) => keys.map((key) => key[i])),
  };
}
