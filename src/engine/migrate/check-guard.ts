import type { Connector } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { TableSchema, Value } from '../../core/types.js';

/**
 * The target's CHECK constraints, evaluated by the target itself on a dry run's mapped rows
 * (`Connector.evaluate`: one statement per batch for all of a table's checks, nothing read or
 * written), so a dry run rejects what the real write would: there the target refuses the row
 * (PostgreSQL SQLSTATE 23514, MySQL 3819 / MariaDB 4025), which becomes the same reject,
 * CRM_R4013 `target_rejected`. A row is refused when a check is false (unknown passes, as in
 * SQL). Per row: the refusal message, or undefined.
 *
 * When the target cannot evaluate a check on a VALUES list (an expression over a domain or a
 * function of the table), the checks are left to the write: a real run still rejects the row
 * there; the plan's pre-flight names what a dry run does not predict.
 */
export async function checkViolations(
  target: Connector,
  table: TableSchema,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
): Promise<(string | undefined)[]> {
  const checks = table.checks ?? [];
  if (checks.length === 0 || !target.evaluate || rows.length === 0) return rows.map(() => undefined);
  let results: (boolean | null)[][];
  try {
    results = await target.evaluate(
      table.name,
      checks.map((c) => c.expression),
      columns,
      rows,
    );
  } catch (err) {
    if (err instanceof CrmError && !err.retriable) return rows.map(() => undefined);
    throw err;
  }
  return results.map((row) => {
    const failed = row.indexOf(false);
    return failed < 0 ? undefined : `violates check constraint ${checks[failed].name}: ${checks[failed].expression}`;
  });
}
