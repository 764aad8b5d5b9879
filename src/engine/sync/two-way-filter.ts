import { parseCanonicalText } from '../../core/canonical.js';
import { isCrmError } from '../../core/errors/index.js';
import type { TableSchema, Value } from '../../core/types.js';

/**
 * What a row created in the source from the target must hold to pass the object's `filter`,
 * so the forward direction keeps it (a row failing the filter would be deleted from the target
 * and left behind in the source). Only a conjunction of equalities can be satisfied by filling
 * columns: `deleted = 0`, `status = 'open' AND deleted = 0`, `archived IS NULL`, `active = true`
 * (identifiers bare or quoted with "" or ``, optionally qualified by the table; literals
 * numbers, quoted strings, true/false, NULL). Anything else (OR, <>, IN, functions, subqueries) cannot be inverted: a string says why.
 */
export function filterRequirements(filter: string, table: TableSchema): Map<string, Value> | string {
  const out = new Map<string, Value>();
  const term =
    /\s*\(?\s*(?:(?:"[^"]+"|`[^`]+`|[A-Za-z_][\w$]*)\.)?(?:"([^"]+)"|`([^`]+)`|([A-Za-z_][\w$]*))\s*(?:=\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)|is\s+(null))\s*\)?\s*(and\b|$)/iy;
  const refuse = `its filter \`${filter}\` is not a conjunction of column = value conditions on ${table.name}`;
  for (let at = 0, more = true; more; ) {
    term.lastIndex = at;
    const m = term.exec(filter);
    if (!m) return refuse;
    at = term.lastIndex;
    more = m[6] !== '';
    if (more && at >= filter.length) return refuse;
    const name = m[1] ?? m[2] ?? m[3];
    const column = table.columns.find((c) => c.name === name);
    if (!column) return refuse;
    const literal = m[5] !== undefined ? null : m[4];
    let text = literal === null ? null : literal.startsWith("'") ? literal.slice(1, -1).replaceAll("''", "'") : literal.toLowerCase();
    if (column.type.kind === 'boolean' && (text === '0' || text === '1')) text = text === '1' ? 'true' : 'false';
    try {
      const value = text === null ? null : parseCanonicalText(text, column.type);
      if (out.has(column.name) && out.get(column.name) !== value) return refuse;
      out.set(column.name, value);
    } catch (err) {
      if (isCrmError(err)) return refuse;
      throw err;
    }
  }
  return out;
}
