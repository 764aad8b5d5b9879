/** SQL text helpers for SQLite. Identifiers are always quoted: CRM field names hold spaces, dots and keywords. */

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function identList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}

/** `(?, ?, ?)` for n parameters. */
export function placeholders(n: number): string {
  return `(${Array.from({ length: n }, () => '?').join(', ')})`;
}

/** `("a", "b")`: a column list in DDL, or a row value for tuple comparisons (SQLite ≥ 3.15). */
export function parenList(columns: readonly string[]): string {
  return `(${identList(columns)})`;
}
