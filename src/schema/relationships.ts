import type { DatabaseSchema } from '../core/types.js';
import type { Inclusion, Relationship } from './analysis-types.js';
import type { FkCandidate } from './fk-inference.js';
import type { ReferenceCheck } from './reference-checks.js';

/**
 * A weakly named reference (a trailing word) whose values mostly miss the parent is a name
 * coincidence. A column named exactly after a table is kept even then, with low confidence: its
 * orphans are the finding (Sugar's currency_id '-99' names no row of currencies).
 */
const MIN_INFERRED_SHARE = 0.5;
const STRONG_NAME = 0.7;
/** Weight of the values (against the name) in an inferred reference's confidence. */
const VALUE_WEIGHT = 0.7;

export interface RelationshipCandidate {
  readonly kind: Relationship['kind'];
  readonly check: ReferenceCheck;
  readonly nameScore: number;
  readonly rule: string;
}

/** Declared foreign keys first, then name-based candidates on columns no declared key covers. */
export function relationshipCandidates(schema: DatabaseSchema, inferred: readonly FkCandidate[]): RelationshipCandidate[] {
  const declared: RelationshipCandidate[] = schema.tables.flatMap((table) =>
    table.foreignKeys.map((fk) => ({
      kind: 'declared' as const,
      check: { childTable: table.name, childColumns: fk.columns, parentTable: fk.referencedTable, parentColumns: fk.referencedColumns },
      nameScore: 1,
      rule: `declared foreign key${fk.name ? ` ${fk.name}` : ''}`,
    })),
  );
  const inferredOnes: RelationshipCandidate[] = inferred.map((c) => ({
    kind: 'inferred' as const,
    check: { childTable: c.table, childColumns: [c.column], parentTable: c.parentTable, parentColumns: [c.parentColumn] },
    nameScore: c.nameScore,
    rule: c.rule,
  }));
  return [...declared, ...inferredOnes];
}

/** Columns covered by declared foreign keys, as `table.column`, so inference leaves them alone. */
export function declaredColumns(schema: DatabaseSchema): Set<string> {
  return new Set(schema.tables.flatMap((t) => t.foreignKeys.flatMap((fk) => fk.columns.map((c) => `${t.name}.${c}`))));
}

/**
 * Turns checked candidates into relationships. A declared key is certain (confidence 1) whatever
 * its orphans; an inferred one weighs the name against the share of values found, and is dropped
 * when most values are not in the parent.
 */
export function confirmRelationships(candidates: readonly RelationshipCandidate[], inclusions: readonly Inclusion[]): Relationship[] {
  return candidates.flatMap((candidate, i) => {
    const inclusion = inclusions[i];
    if (
      candidate.kind === 'inferred' &&
      candidate.nameScore < STRONG_NAME &&
      inclusion.checkedRows > 0 &&
      inclusion.share < MIN_INFERRED_SHARE
    ) {
      return [];
    }
    const { check } = candidate;
    const confidence =
      candidate.kind === 'declared'
        ? 1
        : inclusion.checkedRows === 0
          ? candidate.nameScore * (1 - VALUE_WEIGHT)
          : candidate.nameScore * (1 - VALUE_WEIGHT) + inclusion.share * VALUE_WEIGHT;
    return [
      {
        kind: candidate.kind,
        from: { table: check.childTable, columns: check.childColumns },
        to: { table: check.parentTable, columns: check.parentColumns },
        confidence: round(confidence),
        reason: `${candidate.rule}; ${describeInclusion(inclusion, `${check.parentTable}.${check.parentColumns.join(',')}`)}`,
        inclusion,
      },
    ];
  });
}

/** `998 of 1000 values found in accounts.id (2 orphans)`, with the sampling stated. */
export function describeInclusion(inclusion: Inclusion, target: string): string {
  if (inclusion.checkedRows === 0) return 'no values to check';
  const share = `${inclusion.matchedRows} of ${inclusion.checkedRows}${inclusion.sampled ? ' sampled' : ''} values found in ${target}`;
  return inclusion.orphanRows === 0 ? share : `${share} (${inclusion.orphanRows} orphan${inclusion.orphanRows === 1 ? '' : 's'})`;
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}
