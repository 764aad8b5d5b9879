import type { Analysis, JoinTable, TableProfile } from '../../schema/analysis-types.js';
import { CUSTOM_TABLE_SUFFIX } from '../../schema/crm-vocabulary.js';

/** A side table joined to its base by key (Sugar's `accounts_cstm` on `id_c = id`). */
export interface SideTable {
  readonly table: string;
  readonly base: string;
  /** side column → base column */
  readonly on: Readonly<Record<string, string>>;
}

export interface SourceLayout {
  readonly tables: readonly TableProfile[];
  readonly sideTables: readonly SideTable[];
  readonly joinTables: readonly JoinTable[];
}

/**
 * Sorts the analysed tables into what becomes an object, a side table joined into one, and a
 * join table (a link object, or lookups): a side table's key is a reference to another table's
 * key; a join table is one the analysis found.
 */
export function sourceLayout(analysis: Analysis): SourceLayout {
  const sideTables: SideTable[] = [];
  for (const table of analysis.tables) {
    if (table.primaryKey.length !== 1) continue;
    const keyRef = analysis.relationships.find(
      (r) =>
        r.from.table === table.name &&
        r.from.columns.length === 1 &&
        r.from.columns[0] === table.primaryKey[0] &&
        r.to.table !== table.name,
    );
    const base = keyRef ? analysis.tables.find((t) => t.name === keyRef.to.table) : undefined;
    if (!keyRef || !base || !(table.name.endsWith(CUSTOM_TABLE_SUFFIX) || keyRef.confidence >= 0.9)) continue;
    sideTables.push({ table: table.name, base: base.name, on: { [keyRef.from.columns[0]]: keyRef.to.columns[0] } });
  }
  return { tables: analysis.tables, sideTables, joinTables: analysis.joinTables };
}
