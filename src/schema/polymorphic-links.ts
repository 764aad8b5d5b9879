import type { Connector } from '../connectors/contract.js';
import { toCanonicalText } from '../core/canonical.js';
import type { DatabaseSchema } from '../core/types.js';
import { throwIfAborted } from './abort.js';
import type { Inclusion, PolymorphicLink, ValueCount } from './analysis-types.js';
import { referenceKey, TableNames } from './naming.js';
import type { PolymorphicPair } from './polymorphic-pairs.js';
import type { ReferenceCheck } from './reference-checks.js';
import { round } from './relationships.js';

/** A type column with more distinct values than this holds data, not table names. */
const MAX_TYPE_VALUES = 200;

export interface PolymorphicPlan {
  readonly pair: PolymorphicPair;
  readonly targets: readonly { readonly typeValue: string; readonly table: string; readonly column: string }[];
  readonly unmatchedTypes: readonly ValueCount[];
}

/**
 * Reads a pair's type column (one column, bounded by MAX_TYPE_VALUES distinct values) and matches
 * each value to a table by name, case-insensitively, singular or plural ('Accounts' → accounts).
 * Undefined when no value names a table: then the pair was a naming coincidence.
 */
export async function planPolymorphic(
  connector: Connector,
  schema: DatabaseSchema,
  pair: PolymorphicPair,
  options: { readonly rowLimit?: number; readonly signal?: AbortSignal },
): Promise<PolymorphicPlan | undefined> {
  const table = schema.tables.find((t) => t.name === pair.table)!;
  const typeColumn = table.columns.find((c) => c.name === pair.typeColumn)!;
  const counts = new Map<string, number>();
  let rows = 0;
  reading: for await (const batch of connector.read(pair.table, { columns: [pair.typeColumn], batchSize: 5_000, signal: options.signal })) {
    throwIfAborted(options.signal);
    for (const row of batch.rows) {
      if (options.rowLimit !== undefined && rows >= options.rowLimit) break reading;
      rows++;
      const value = toCanonicalText(row[0], typeColumn.type);
      if (value === null) continue;
      counts.set(value, (counts.get(value) ?? 0) + 1);
      if (counts.size > MAX_TYPE_VALUES) return undefined;
    }
  }
  const names = new TableNames(schema.tables);
  const targets: PolymorphicPlan['targets'][number][] = [];
  const unmatchedTypes: ValueCount[] = [];
  for (const [value, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    const target = value === '' ? undefined : names.find(value);
    const column = target && referenceKey(target);
    if (target && column) targets.push({ typeValue: value, table: target.name, column });
    else unmatchedTypes.push({ value, count });
  }
  return targets.length === 0 ? undefined : { pair, targets, unmatchedTypes };
}

export function polymorphicChecks(plan: PolymorphicPlan): ReferenceCheck[] {
  return plan.targets.map((t) => ({
    childTable: plan.pair.table,
    childColumns: [plan.pair.idColumn],
    parentTable: t.table,
    parentColumns: [t.column],
    filter: { column: plan.pair.typeColumn, value: t.typeValue },
  }));
}

/**
 * A checked plan as a link. Confidence grows with the share of typed rows whose type names a
 * table and whose id is found there.
 */
export function polymorphicLink(plan: PolymorphicPlan, inclusions: readonly Inclusion[]): PolymorphicLink {
  const targets = plan.targets.map((t, i) => ({ ...t, inclusion: inclusions[i] }));
  const matched = targets.reduce((n, t) => n + t.inclusion.matchedRows, 0);
  const checked = targets.reduce((n, t) => n + t.inclusion.checkedRows, 0) + plan.unmatchedTypes.reduce((n, u) => n + u.count, 0);
  const share = checked === 0 ? 0 : matched / checked;
  const mapping = targets.map((t) => `${t.typeValue}→${t.table}`).join(', ');
  return {
    table: plan.pair.table,
    typeColumn: plan.pair.typeColumn,
    idColumn: plan.pair.idColumn,
    targets,
    unmatchedTypes: plan.unmatchedTypes,
    confidence: round(0.4 + 0.6 * share),
    reason:
      `${plan.pair.typeColumn} names ${targets.length} table${targets.length === 1 ? '' : 's'} (${mapping}); ` +
      `${matched} of ${checked} typed rows reference an existing row${targets.some((t) => t.inclusion.sampled) ? ' (sampled)' : ''}`,
  };
}
