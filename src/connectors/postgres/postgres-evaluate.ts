import type { ColumnSchema, Value } from '../../core/types.js';
import { constantDefault } from '../shared/column-default.js';
import type { PostgresDatabase } from './postgres-database.js';
import { ident, storedName } from './postgres-identifiers.js';
import { introspect } from './postgres-introspector.js';

/** Bind parameters per statement, well under PostgreSQL's 65535. */
const MAX_PARAMS = 30_000;

/**
 * `Connector.evaluate` for PostgreSQL: the rows become a VALUES list cast to the table's column
 * types, with the table's column names, so the catalog's own text of a CHECK or an index
 * condition runs unchanged against them; nothing touches the table. A column the rows do not
 * carry takes its default when that is a constant (a sequence's `nextval` would advance it),
 * else NULL, as an inserted row would.
 */
export class PostgresEvaluator {
  private readonly tables = new Map<string, Promise<readonly ColumnSchema[]>>();

  constructor(private readonly db: PostgresDatabase) {}

  async evaluate(
    table: string,
    expressions: readonly string[],
    columns: readonly string[],
    rows: readonly (readonly Value[])[],
  ): Promise<(boolean | null)[][]> {
    const out: (boolean | null)[][] = [];
    if (expressions.length === 0 || rows.length === 0) return rows.map(() => []);
    const all = await this.columnsOf(table);
    const given = new Map(columns.map((c, i) => [storedName(c), i]));
    const perChunk = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns.length)));
    const head = `SELECT ${expressions.map((e, i) => `(${e}) AS e${i}`).join(', ')} FROM (VALUES `;
    const tail = `) AS v(crmbridge_row, ${all.map((c) => ident(c.name)).join(', ')}) ORDER BY crmbridge_row`;
    for (let start = 0; start < rows.length; start += perChunk) {
      const chunk = rows.slice(start, start + perChunk);
      const params: unknown[] = [];
      const tuples = chunk.map((row, r) => {
        const cells = all.map((c) => {
          const i = given.get(c.name);
          if (i === undefined) return `(${constantDefault(c) ?? 'NULL'})::${c.nativeType}`;
          params.push(row[i]);
          return `$${params.length}::${c.nativeType}`;
        });
        return `(${r}, ${cells.join(', ')})`;
      });
      const result = await this.db.queryRows(`${head}${tuples.join(', ')}${tail}`, params, table);
      for (const r of result) out.push(r.map((v) => (v === null ? null : v === true)));
    }
    return out;
  }

  private columnsOf(table: string): Promise<readonly ColumnSchema[]> {
    let found = this.tables.get(table);
    if (!found) {
      found = introspect(this.db, [table]).then((s) => s.tables[0].columns);
      this.tables.set(table, found);
      found.catch(() => this.tables.delete(table));
    }
    return found;
  }
}
