import type { Capabilities } from '../../connectors/contract.js';
import type { Value } from '../../core/types.js';

/**
 * `("k") IN ('a', 'b')` (composite: `("k1" = 1 AND "k2" = 'x') OR …`) in a source's own SQL, to
 * combine with an object's `filter` (also source SQL) in a `where`. Keys are values read from
 * the source itself; literals are quoted for the dialect (MySQL also escapes backslashes).
 */
export function keyListSql(dialect: Capabilities['dialect'], columns: readonly string[], keys: readonly (readonly Value[])[]): string {
  const id = (name: string) => (dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`);
  const literal = (v: Value): string => {
    if (v === null) return 'NULL';
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (typeof v === 'boolean') return dialect === 'postgres' ? String(v).toUpperCase() : v ? '1' : '0';
    const text = String(v).replace(/'/g, "''");
    return `'${dialect === 'mysql' ? text.replace(/\\/g, '\\\\') : text}'`;
  };
  if (columns.length === 1) return `${id(columns[0])} IN (${keys.map((k) => literal(k[0])).join(', ')})`;
  return keys.map((k) => `(${columns.map((c, i) => `${id(c)} = ${literal(k[i])}`).join(' AND ')})`).join(' OR ');
}
