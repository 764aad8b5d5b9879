import type { TableSchema } from '../core/types.js';

/**
 * English singular/plural forms of table-ish words, enough for CRM vocabularies (account →
 * accounts, opportunity → opportunities, address → addresses, person → people). Both functions
 * take and return lower case.
 */
const IRREGULAR: Readonly<Record<string, string>> = { person: 'people', child: 'children', status: 'statuses', campus: 'campuses' };
const IRREGULAR_SINGULAR: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(IRREGULAR).map(([s, p]) => [p, s]));

export function pluralize(word: string): string {
  if (IRREGULAR[word]) return IRREGULAR[word];
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

export function singularize(word: string): string {
  if (IRREGULAR_SINGULAR[word]) return IRREGULAR_SINGULAR[word];
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Finds tables by a word naming them, case-insensitively, in singular or plural form. */
export class TableNames {
  private readonly byName = new Map<string, TableSchema>();

  constructor(tables: readonly TableSchema[]) {
    for (const t of tables) this.byName.set(t.name.toLowerCase(), t);
  }

  /** `Accounts`, `account`, `ACCOUNT` → the table `accounts` (exact name first, then plural, then singular). */
  find(word: string): TableSchema | undefined {
    const w = word.toLowerCase();
    return this.byName.get(w) ?? this.byName.get(pluralize(w)) ?? this.byName.get(singularize(w));
  }
}

/**
 * The column a reference to this table points at: its single-column primary key; for a table
 * with no declared key (a file), a column named `id` or `<singular>_id`.
 */
export function referenceKey(table: TableSchema): string | undefined {
  if (table.primaryKey.length > 0) return table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const wanted = ['id', `${singularize(table.name.toLowerCase())}_id`];
  return wanted.map((w) => table.columns.find((c) => c.name.toLowerCase() === w)?.name).find((n) => n !== undefined);
}
