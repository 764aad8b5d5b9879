import { describe, expect, it } from 'vitest';
import { completedIn, parseXidSnapshot } from '../../../src/connectors/postgres/postgres-xid-snapshot.js';

describe('PostgreSQL snapshot: has a transaction of the log completed?', () => {
  const snapshot = parseXidSnapshot('1000:1010:1002,1007');

  it('below xmin: completed; in progress or from xmax on: not yet', () => {
    expect(completedIn(snapshot, 999)).toBe(true);
    expect(completedIn(snapshot, 1001)).toBe(true);
    expect(completedIn(snapshot, 1002)).toBe(false);
    expect(completedIn(snapshot, 1007)).toBe(false);
    expect(completedIn(snapshot, 1009)).toBe(true);
    expect(completedIn(snapshot, 1010)).toBe(false);
    expect(completedIn(snapshot, 1500)).toBe(false);
  });

  it('widens the 32-bit xid of the log next to the snapshot, across an epoch boundary', () => {
    const epoch = 2n ** 32n;
    // The snapshot is just past the wrap: xid 4294967290 belongs to the previous epoch (completed).
    const wrapped = parseXidSnapshot(`${epoch + 5n}:${epoch + 10n}:${epoch + 7n}`);
    expect(completedIn(wrapped, 4294967290)).toBe(true);
    expect(completedIn(wrapped, 6)).toBe(true);
    expect(completedIn(wrapped, 7)).toBe(false);
    expect(completedIn(wrapped, 12)).toBe(false);
    // Just before the wrap: a small xid of the next epoch is not completed yet.
    const before = parseXidSnapshot(`${epoch - 20n}:${epoch - 10n}:`);
    expect(completedIn(before, 4294967280)).toBe(true);
    expect(completedIn(before, 3)).toBe(false);
  });
});
