import type { Connector } from '../connectors/contract.js';
import { CrmError } from '../core/errors/index.js';
import type { ColumnSchema, DatabaseSchema } from '../core/types.js';
import type { Inclusion } from './analysis-types.js';
import { checkInclusion, type InclusionLimits, ParentKeys } from './inclusion.js';

/** One reference to check: child columns → parent columns, optionally only rows of one type value. */
export interface ReferenceCheck {
  readonly childTable: string;
  readonly childColumns: readonly string[];
  readonly parentTable: string;
  readonly parentColumns: readonly string[];
  readonly filter?: { readonly column: string; readonly value: string };
}

/**
 * Runs inclusion checks grouped by parent key, so each parent's key set is read once and only
 * one is held in memory at a time. Results are parallel to `checks`.
 */
export async function runReferenceChecks(
  connector: Connector,
  schema: DatabaseSchema,
  checks: readonly ReferenceCheck[],
  options: { readonly limits: InclusionLimits; readonly rowLimit?: number; readonly signal?: AbortSignal },
): Promise<Inclusion[]> {
  const results = new Array<Inclusion>(checks.length);
  const groups = new Map<string, number[]>();
  checks.forEach((check, i) => {
    const key = JSON.stringify([check.parentTable, check.parentColumns]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const members of groups.values()) {
    const first = checks[members[0]];
    const parent = await ParentKeys.load(
      connector,
      first.parentTable,
      columnsOf(schema, first.parentTable, first.parentColumns),
      options.limits.keySetLimit,
      options.signal,
    );
    for (const i of members) {
      const check = checks[i];
      results[i] = await checkInclusion(
        connector,
        {
          table: check.childTable,
          columns: columnsOf(schema, check.childTable, check.childColumns),
          ...(check.filter
            ? { filter: { column: columnsOf(schema, check.childTable, [check.filter.column])[0], value: check.filter.value } }
            : {}),
          ...(options.rowLimit === undefined ? {} : { rowLimit: options.rowLimit }),
        },
        parent,
        options.limits,
        options.signal,
      );
    }
  }
  return results;
}

function columnsOf(schema: DatabaseSchema, table: string, names: readonly string[]): ColumnSchema[] {
  const columns = schema.tables.find((t) => t.name === table)?.columns ?? [];
  return names.map((n) => {
    const column = columns.find((c) => c.name === n);
    // Checks are built from the same schema, so a miss is a bug in the analysis, not user input.
    if (!column) throw new CrmError('CRM_X9001', `analysis checked a column missing from the schema`, { location: { table, column: n } });
    return column;
  });
}
