import type { LedgerCounts } from '../state/state-store.js';

export const emptyLedger = (): LedgerCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 });

/** The accounting identity every object must satisfy at the end of a run. */
export function ledgerBalances(l: LedgerCounts): boolean {
  return l.read === l.created + l.updated + l.unchanged + l.rejected + l.filtered;
}

export function addLedger(into: LedgerCounts, add: Partial<LedgerCounts>): void {
  for (const k of Object.keys(add) as (keyof LedgerCounts)[]) into[k] += add[k] ?? 0;
}
