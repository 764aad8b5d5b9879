import type { LedgerCounts } from '../state/state-store.js';

export const emptyLedger = (): LedgerCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 });

/**
 * The accounting identity every object must satisfy at the end of a run. Collapsed duplicates
 * are part of `filtered` (rows not loaded by declaration), so they can never exceed it.
 */
export function ledgerBalances(l: LedgerCounts): boolean {
  return l.read === l.created + l.updated + l.unchanged + l.rejected + l.filtered && (l.duplicates ?? 0) <= l.filtered;
}

/** Adds counts; a count missing on either side (`duplicates` in a ledger stored before it existed) is 0. */
export function addLedger(into: LedgerCounts, add: Partial<LedgerCounts>): void {
  for (const k of Object.keys(add) as (keyof LedgerCounts)[]) into[k] = (into[k] ?? 0) + (add[k] ?? 0);
}
