import type { ColumnSchema } from '../../core/types.js';

/**
 * A column's default as SQL, when evaluating it has no effect: a sequence's `nextval` would
 * advance the sequence, so it is left out (the caller uses NULL, as for no default).
 */
export function constantDefault(column: ColumnSchema): string | undefined {
  return column.default !== undefined && !/nextval\s*\(/i.test(column.default) ? column.default : undefined;
}
