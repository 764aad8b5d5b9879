import type { DatabaseSchema } from '../core/types.js';
import type { Inclusion, NameLink, TableProfile } from './analysis-types.js';
import { snakeName, TableNames } from './naming.js';
import type { ReferenceCheck } from './reference-checks.js';

/** Share of a column's checked values that must name a row for it to count as a link by name. */
const MIN_SHARE = 0.5;

/**
 * Columns that name another table's row by its name, as CRM exports link a contact to its
 * account (`AccountName`, `Account Name`, `account_name` → accounts.name): a column whose snake
 * name is `<word>_name`, where `<word>` names another table that has a `name` (or the same
 * `<word>_name`) column. Still to be confirmed by the values (`confirmNameLinks`).
 */
export function nameLinkChecks(schema: DatabaseSchema): ReferenceCheck[] {
  const names = new TableNames(schema.tables);
  const checks: ReferenceCheck[] = [];
  for (const table of schema.tables) {
    for (const column of table.columns) {
      const lower = snakeName(column.name);
      if (column.type.kind !== 'text' || !lower.endsWith('_name')) continue;
      const parent = names.find(lower.slice(0, -'_name'.length));
      if (!parent || parent === table) continue;
      const target = parent.columns.find((c) => c.type.kind === 'text' && ['name', lower].includes(snakeName(c.name)));
      if (target)
        checks.push({ childTable: table.name, childColumns: [column.name], parentTable: parent.name, parentColumns: [target.name] });
    }
  }
  return checks;
}

/**
 * The checks whose values mostly name a row, as links: with whether the name column is unique
 * (from its profile). A link on a name that repeats is ambiguous for the repeated names: a
 * lookup over it rejects those rows (ambiguous_reference) unless the mapping breaks the tie.
 */
export function confirmNameLinks(
  checks: readonly ReferenceCheck[],
  inclusions: readonly Inclusion[],
  tables: readonly TableProfile[],
): NameLink[] {
  return checks.flatMap((check, i) => {
    const inclusion = inclusions[i];
    if (inclusion.matchedRows === 0 || inclusion.share < MIN_SHARE) return [];
    const target = tables.find((t) => t.name === check.parentTable)?.columns.find((c) => c.name === check.parentColumns[0]);
    if (!target) return [];
    const from = `${check.childTable}.${check.childColumns[0]}`;
    const to = `${check.parentTable}.${check.parentColumns[0]}`;
    return [
      {
        from: { table: check.childTable, columns: check.childColumns },
        to: { table: check.parentTable, columns: check.parentColumns },
        unique: target.duplicateValues === 0,
        repeatedRows: target.duplicateValues,
        repeatedExact: target.duplicatesExact,
        inclusion,
        reason:
          target.duplicateValues === 0
            ? `${from} names a row of ${check.parentTable} by ${to}, which is unique`
            : `${from} names a row of ${check.parentTable} by ${to}, which is NOT unique (${target.duplicateValues} rows repeat a name): ` +
              'a lookup on it is ambiguous for the repeated names (rejected as ambiguous_reference unless onAmbiguous breaks the tie)',
      },
    ];
  });
}
