/**
 * Which transactions a PostgreSQL snapshot sees (`pg_current_snapshot()`, text form
 * `xmin:xmax:xip,…` of 64-bit ids). The log names a transaction by its 32-bit xid; it is widened
 * to 64 bits next to the snapshot's xmax (a transaction the log delivered is at most 2^31 ids
 * away from any snapshot taken since).
 */
export interface XidSnapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  /** Transactions in progress when the snapshot was taken. */
  readonly inProgress: ReadonlySet<bigint>;
}

export function parseXidSnapshot(text: string): XidSnapshot {
  const [xmin, xmax, xip = ''] = text.split(':');
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    inProgress: new Set(xip === '' ? [] : xip.split(',').map((x) => BigInt(x))),
  };
}

const HALF = 2n ** 31n;
const WRAP = 2n ** 32n;

/** Whether the transaction with this 32-bit xid has completed for `snapshot` (visible, if it committed). */
export function completedIn(snapshot: XidSnapshot, xid: number): boolean {
  let diff = BigInt(xid) - (snapshot.xmax % WRAP);
  if (diff >= HALF) diff -= WRAP;
  else if (diff < -HALF) diff += WRAP;
  const full = snapshot.xmax + diff;
  return full < snapshot.xmin || (full < snapshot.xmax && !snapshot.inProgress.has(full));
}
