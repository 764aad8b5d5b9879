import type { DatabaseSchema, TableSchema } from '../core/types.js';
import { CUSTOM_TABLE_KEY, CUSTOM_TABLE_SUFFIX, SELF_REFERENCE_COLUMNS, USER_REFERENCE_COLUMNS, USER_TABLES } from './crm-vocabulary.js';
import { referenceKey, snakeName, TableNames } from './naming.js';

/** A reference suggested by a column's name, still to be confirmed by its values. */
export interface FkCandidate {
  readonly table: string;
  readonly column: string;
  readonly parentTable: string;
  readonly parentColumn: string;
  /** 0..1: how strongly the name alone suggests the reference. */
  readonly nameScore: number;
  /** Why the name suggests it, for the relationship's reason. */
  readonly rule: string;
}

/** Kinds that can hold a key; a boolean or a date named `*_id` is not a reference. */
const KEY_KINDS: ReadonlySet<string> = new Set(['text', 'uuid', 'integer', 'bigint', 'decimal', 'enum']);

/**
 * Name-based foreign-key candidates, first rule that applies per column:
 * `id_c` of `<base>_cstm` → `<base>`; user audit columns → users; `reports_to_id`/`parent_id` →
 * the same table; `<word>_id` → the table named by the word (singular or plural), trying the
 * whole prefix first and then its trailing words (`primary_contact_id` → contacts). Names are
 * compared in snake case, so export headers such as `Associated Company ID` → companies; last,
 * the one table named `<module>_<word>` (`partner_id` → res_partner).
 * `skip` holds `table.column` names handled elsewhere (declared keys, polymorphic id columns).
 */
export function inferFkCandidates(schema: DatabaseSchema, skip: ReadonlySet<string>): FkCandidate[] {
  const names = new TableNames(schema.tables);
  const users = USER_TABLES.map((n) => names.find(n)).find((t) => t !== undefined);
  const candidates: FkCandidate[] = [];
  for (const table of schema.tables) {
    for (const column of table.columns) {
      if (skip.has(`${table.name}.${column.name}`) || !KEY_KINDS.has(column.type.kind)) continue;
      if (table.primaryKey.length === 1 && table.primaryKey[0] === column.name && column.name.toLowerCase() !== CUSTOM_TABLE_KEY) continue;
      const found = candidateFor(table, column.name, names, users);
      if (!found) continue;
      const parentColumn = referenceKey(found.parent);
      if (!parentColumn || (found.parent === table && parentColumn === column.name)) continue;
      candidates.push({
        table: table.name,
        column: column.name,
        parentTable: found.parent.name,
        parentColumn,
        nameScore: found.score,
        rule: found.rule,
      });
    }
  }
  return candidates;
}

function candidateFor(
  table: TableSchema,
  column: string,
  names: TableNames,
  users: TableSchema | undefined,
): { parent: TableSchema; score: number; rule: string } | undefined {
  const lower = snakeName(column);
  const tableLower = table.name.toLowerCase();
  if (lower === CUSTOM_TABLE_KEY && tableLower.endsWith(CUSTOM_TABLE_SUFFIX)) {
    const base = names.find(table.name.slice(0, -CUSTOM_TABLE_SUFFIX.length));
    return base && { parent: base, score: 0.9, rule: `${column} keys the custom-field table of ${base.name}` };
  }
  if (USER_REFERENCE_COLUMNS.has(lower)) return users && { parent: users, score: 0.8, rule: `${column} is a user audit/owner column` };
  if (SELF_REFERENCE_COLUMNS.has(lower)) return { parent: table, score: 0.7, rule: `${column} is a hierarchy column (same table)` };
  if (!lower.endsWith('_id')) return undefined;
  const words = lower
    .slice(0, -'_id'.length)
    .split('_')
    .filter((w) => w !== '');
  for (let start = 0; start < words.length; start++) {
    const parent = names.find(words.slice(start).join('_'));
    if (parent) {
      return start === 0
        ? { parent, score: 0.7, rule: `${column} names table ${parent.name}` }
        : { parent, score: 0.5, rule: `${column} ends with the name of table ${parent.name}` };
    }
  }
  const prefixed = words.length > 0 ? names.findBySuffix(words[words.length - 1]) : undefined;
  return prefixed && { parent: prefixed, score: 0.5, rule: `${column} names table ${prefixed.name} without its module prefix` };
}
