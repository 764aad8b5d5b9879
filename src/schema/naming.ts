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

  /**
   * `Accounts`, `account`, `ACCOUNT` → the table `accounts` (exact name first, then plural, then
   * singular); Odoo's model names (`crm.lead`) name their table with `_` for `.`.
   */
  find(word: string): TableSchema | undefined {
    const w = word.toLowerCase().replaceAll('.', '_');
    return this.byName.get(w) ?? this.byName.get(pluralize(w)) ?? this.byName.get(singularize(w));
  }

  /**
   * The one table whose name ends with `_<word>` (singular or plural): `partner` → `res_partner`,
   * `lead` → `crm_lead`, as in schemas that prefix every table with its module. Undefined when
   * no table or more than one does.
   */
  findBySuffix(word: string): TableSchema | undefined {
    const w = word.toLowerCase();
    const endings = new Set([w, pluralize(w), singularize(w)].map((e) => `_${e}`));
    const found = [...this.byName].filter(([name]) => [...endings].some((e) => name.endsWith(e)));
    return found.length === 1 ? found[0][1] : undefined;
  }
}

/**
 * A column or file header in snake case, so that export headers compare with database names:
 * `Record ID` → `record_id`, `Associated Company ID` → `associated_company_id`, `companyId` →
 * `company_id`.
 */
export function snakeName(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/**
 * The column a reference to this table points at: its single-column primary key; for a table
 * with no declared key (a file), a column named `id`, `<singular>_id` or `record_id` (HubSpot's
 * and Zoho's exports head their key `Record ID`), compared in snake case.
 */
export function referenceKey(table: TableSchema): string | undefined {
  if (table.primaryKey.length > 0) return table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const wanted = ['id', `${singularize(snakeName(table.name))}_id`, 'record_id'];
  return wanted.map((w) => table.columns.find((c) => snakeName(c.name) === w)?.name).find((n) => n !== undefined);
}
