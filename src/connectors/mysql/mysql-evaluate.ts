import type { Value } from '../../core/types.js';
import { constantDefault } from '../shared/column-default.js';
import { translateMysqlError } from './mysql-errors.js';
import type { MysqlPool } from './mysql-pool.js';
import type { SchemaCache } from './mysql-schema-cache.js';
import { nativeName, quoteId } from './mysql-sql.js';

const ROWS_PER_STATEMENT = 1000;

/** A value as mysql2 escapes it into a single SQL value (arrays would become lists, Uint8Array is not a Buffer). */
function param(value: Value): unknown {
  if (Array.isArray(value)) return JSON.stringify(value);
  if (value instanceof Uint8Array) return Buffer.from(value);
  return value;
}

/**
 * `Connector.evaluate` for MySQL/MariaDB: the rows become a derived table of `SELECT … UNION ALL`
 * with the table's column names, so the catalog's own text of a CHECK runs unchanged against
 * them; nothing touches the table. A column the rows do not carry takes its constant default,
 * else NULL, as an inserted row would.
 */
export async function evaluateMysql(
  pool: MysqlPool,
  schemas: SchemaCache,
  table: string,
  expressions: readonly string[],
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
): Promise<(boolean | null)[][]> {
  if (expressions.length === 0 || rows.length === 0) return rows.map(() => []);
  const all = (await schemas.get(table)).columns;
  const given = new Map(columns.map((c, i) => [nativeName(c), i]));
  const head = `SELECT ${expressions.map((e, i) => `(${e}) AS e${i}`).join(', ')} FROM (`;
  const out: (boolean | null)[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    const selects = chunk.map((row, r) => {
      const cells = all.map((c) => {
        const i = given.get(c.name);
        if (i !== undefined) values.push(param(row[i]));
        const cell = i === undefined ? (constantDefault(c) ?? 'NULL') : '?';
        return r === 0 ? `${cell} AS ${quoteId(c.name)}` : cell;
      });
      return `SELECT ${r}${r === 0 ? ' AS crmbridge_row' : ''}, ${cells.join(', ')}`;
    });
    const sql = `${head}${selects.join(' UNION ALL ')}) AS v ORDER BY crmbridge_row`;
    try {
      const [result] = await pool.withSession((s) => s.sql.query({ sql, values, rowsAsArray: true }));
      for (const r of result as unknown as unknown[][]) out.push(r.map((v) => (v === null ? null : Number(v) !== 0)));
    } catch (err) {
      throw translateMysqlError(err, { table });
    }
  }
  return out;
}
