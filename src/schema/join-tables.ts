import type { DatabaseSchema, TableSchema } from '../core/types.js';
import type { JoinSide, JoinTable, PolymorphicLink, Relationship, TableProfile } from './analysis-types.js';
import { HOUSEKEEPING_COLUMNS, USER_REFERENCE_COLUMNS } from './crm-vocabulary.js';
import { singularize } from './naming.js';
import { round } from './relationships.js';

/** Attribute columns a link may carry besides its two references (a role, a primary flag). */
const MAX_EXTRA_COLUMNS = 2;
/** References weaker than this do not make a table a join table. */
const MIN_SIDE_CONFIDENCE = 0.5;

/**
 * A join table links exactly two parents (plain or polymorphic references) and holds little else:
 * its key, housekeeping columns (dates, deleted flag, audit users) and at most MAX_EXTRA_COLUMNS
 * attributes, each a picklist or flag by its profile (a role, a primary flag; a name or a
 * description makes the table an entity of its own, like a note). Audit references to users are
 * housekeeping, not sides. Confidence rises when the table's name contains both parents' names
 * (`accounts_contacts`) and when it carries no extras.
 */
export function findJoinTables(
  schema: DatabaseSchema,
  profiles: readonly TableProfile[],
  relationships: readonly Relationship[],
  links: readonly PolymorphicLink[],
): JoinTable[] {
  return schema.tables.flatMap((table) => {
    const sides = sidesOf(table, relationships, links);
    if (sides.length !== 2) return [];
    const used = new Set([...table.primaryKey, ...sides.flatMap((s) => [s.column, ...(s.typeColumn ? [s.typeColumn] : [])])]);
    const extraColumns = table.columns.map((c) => c.name).filter((n) => !used.has(n) && !HOUSEKEEPING_COLUMNS.has(n.toLowerCase()));
    const columnProfiles = profiles.find((p) => p.name === table.name)?.columns ?? [];
    const attributeLike = (name: string) => {
      const profile = columnProfiles.find((c) => c.name === name);
      return profile !== undefined && (profile.topValues !== undefined || profile.distinctCount <= 1);
    };
    if (extraColumns.length > MAX_EXTRA_COLUMNS || !extraColumns.every(attributeLike)) return [];
    const named = sides.every((s) => s.tables.some((t) => mentions(table.name, t)));
    const describe = (s: JoinSide) => `${s.typeColumn ? `${s.typeColumn}+` : ''}${s.column} → ${s.tables.join('|')}`;
    return [
      {
        table: table.name,
        sides: [sides[0], sides[1]] as const,
        extraColumns,
        confidence: round(0.7 + (named ? 0.2 : 0) + (extraColumns.length === 0 ? 0.1 : 0)),
        reason:
          `two references (${sides.map(describe).join(', ')}) and ` +
          (extraColumns.length === 0 ? 'only key and housekeeping columns' : `${extraColumns.length} attribute column(s)`) +
          (named ? '; the name joins both tables' : ''),
      },
    ];
  });
}

function sidesOf(table: TableSchema, relationships: readonly Relationship[], links: readonly PolymorphicLink[]): JoinSide[] {
  const plain = relationships
    .filter(
      (r) =>
        r.from.table === table.name &&
        r.from.columns.length === 1 &&
        r.to.table !== table.name &&
        r.confidence >= MIN_SIDE_CONFIDENCE &&
        !USER_REFERENCE_COLUMNS.has(r.from.columns[0].toLowerCase()),
    )
    .map((r) => ({ column: r.from.columns[0], tables: [r.to.table] }));
  const polymorphic = links
    .filter((l) => l.table === table.name && l.confidence >= MIN_SIDE_CONFIDENCE)
    .map((l) => ({ column: l.idColumn, typeColumn: l.typeColumn, tables: l.targets.map((t) => t.table) }));
  return [...plain, ...polymorphic];
}

/** Whether a table name contains a parent's name, singular or plural (`accounts_contacts` ∋ contact). */
function mentions(tableName: string, parent: string): boolean {
  const name = tableName.toLowerCase();
  return name.includes(singularize(parent.toLowerCase()));
}
