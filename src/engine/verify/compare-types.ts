import type { CanonicalKind, CanonicalType } from '../../core/types.js';

/** Kinds that say more than the other side's kind about the same stored text (a uuid in CHAR(36), a flag in TINYINT). */
const REFINES: Readonly<Partial<Record<CanonicalKind, readonly CanonicalKind[]>>> = {
  text: [
    'uuid',
    'json',
    'enum',
    'decimal',
    'integer',
    'bigint',
    'date',
    'time',
    'timestamp',
    'timestamptz',
    'boolean',
    'float',
    'multiselect',
    'binary',
  ],
  integer: ['bigint', 'boolean', 'decimal'],
  bigint: ['decimal'],
  enum: ['text'],
  timestamp: ['timestamptz'],
  float: ['decimal'],
};

/**
 * The one canonical type two sides are compared as. The same kind compares as itself; otherwise
 * the more specific kind wins (text holding uuids compares as uuid, a float against a decimal as
 * decimal), so equal data never differs merely by how each engine declares it.
 */
export function compareType(a: CanonicalType, b: CanonicalType): CanonicalType {
  if (a.kind === b.kind) return a;
  if (REFINES[a.kind]?.includes(b.kind)) return b;
  if (REFINES[b.kind]?.includes(a.kind)) return a;
  return a;
}
