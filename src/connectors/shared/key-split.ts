import { CrmError } from '../../core/errors/index.js';

/** What differs between the SQL dialects in `keySplitSql`. */
export interface KeySplitDialect {
  readonly connector: 'postgres' | 'mysql' | 'sqlite';
  /** The quoted identifier of a column, exactly as the dialect's reader quotes it in ORDER BY. */
  quote(name: string): string;
  /** `a / b` rounded down, for non-negative integer expressions. */
  div(a: string, b: string): string;
}

export interface KeySplitRequest {
  readonly table: string;
  /** The quoted (qualified) table name. */
  readonly from: string;
  readonly key: readonly string[];
  readonly parts: number;
  /** A filter in the source's own SQL. */
  readonly where?: string;
}

/**
 * The statement behind `Connector.splitKeyRange`, the same in every SQL dialect: one window scan
 * in the order of `ORDER BY key` — the reader's order, so the column collations decide, and the
 * ranges' tuple comparisons agree with it — selecting only the key columns of the cut rows,
 * ascending. Undefined when there is nothing to cut (one part).
 *
 * Row r of n (1-based) belongs to part floor((r - 1) × parts / n): parts differ by one row at
 * most. A cut is the key of a part's last row. Rows with equal keys (peers in the ordering: ties,
 * or values the collation holds equal) cannot be told apart by a key range, so each group of
 * peers is one unit: RANK() is the number of its first row, COUNT(*) OVER w (the default frame
 * ends with the last peer) that of its last; the group's last row yields a cut when a part ends
 * within the group, and the last group never does (its range is the open-ended last one). Hence
 * cuts are distinct and never the last key; tables with fewer rows (or distinct keys) than
 * parts get fewer cuts.
 */
export function keySplitSql(request: KeySplitRequest, dialect: KeySplitDialect): string | undefined {
  const { key, parts } = request;
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new CrmError('CRM_C1003', `a table is split into a whole number of parts, at least 1 (not ${parts})`, {
      location: { connector: dialect.connector, table: request.table },
    });
  }
  if (key.length === 0) {
    throw new CrmError('CRM_C1003', `splitting ${request.table} into key ranges needs the key columns`, {
      location: { connector: dialect.connector, table: request.table },
    });
  }
  if (parts === 1) return undefined;
  const [rn, first, last, total] = ['crm_rn', 'crm_first', 'crm_last', 'crm_total'].map((name) => unusedAlias(name, key));
  const columns = key.map((k) => dialect.quote(k)).join(', ');
  const where = request.where ? ` WHERE (${request.where})` : '';
  return `SELECT ${columns} FROM (
  SELECT ${columns}, ROW_NUMBER() OVER w AS ${rn}, RANK() OVER w AS ${first}, COUNT(*) OVER w AS ${last}, COUNT(*) OVER () AS ${total}
    FROM ${request.from}${where}
  WINDOW w AS (ORDER BY ${columns})) crm_split
WHERE ${rn} = ${last} AND ${last} < ${total}
  AND ${dialect.div(`(${first} - 1) * ${parts}`, total)} < ${dialect.div(`${last} * ${parts}`, total)}
ORDER BY ${columns}`;
}

/** `name`, lengthened until no key column (any case) is called so. */
function unusedAlias(name: string, key: readonly string[]): string {
  const taken = new Set(key.map((k) => k.toLowerCase()));
  let alias = name;
  while (taken.has(alias)) alias = `${alias}_`;
  return alias;
}
