import Table from 'cli-table3';
import type { ObjectResult } from '../../engine/migrate/migrate.js';

/** The end-of-run summary: one line per object with its ledger and whether it balances. */
export function ledgerTable(objects: readonly ObjectResult[]): string {
  const table = new Table({
    head: ['object', 'status', 'read', 'created', 'updated', 'unchanged', 'rejected', 'filtered', 'balanced', 'rows/s'],
    style: { head: [], border: [] },
  });
  for (const o of objects) {
    const l = o.ledger;
    table.push([
      o.object,
      o.status,
      l.read,
      l.created,
      l.updated,
      l.unchanged,
      l.rejected,
      // Collapsed duplicates are part of `filtered`: shown, not added again.
      l.duplicates ? `${l.filtered} (${l.duplicates} duplicates)` : l.filtered,
      o.balanced ? 'yes' : 'NO',
      o.seconds > 0 ? Math.round(l.read / o.seconds) : '',
    ]);
  }
  return table.toString();
}
