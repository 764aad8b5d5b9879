import type { CanonicalRow, ChecksumSession, SegmentChecksum, TextKeyRange } from '../../connectors/contract.js';
import type { KeyComparator } from './key-order.js';
import { addHash, rowHash, subtractHash } from './row-hash.js';

/**
 * A checksum session over rows held in memory (a file, a transformed source, a table whose
 * columns have no SQL canonical form): rows sorted in canonical key order, with running sums of
 * their hashes, so any key range's checksum is two binary searches and a subtraction.
 */
export class MemoryChecksum implements ChecksumSession {
  private readonly rowsInOrder: CanonicalRow[];
  /** prefix[i] = sum of the hashes of rows [0, i) modulo 2^64. */
  private readonly prefix: bigint[];

  constructor(
    rows: CanonicalRow[],
    private readonly compare: KeyComparator,
  ) {
    this.rowsInOrder = rows.sort((a, b) => compare(a.key, b.key));
    this.prefix = new Array<bigint>(rows.length + 1);
    this.prefix[0] = 0n;
    for (let i = 0; i < rows.length; i++) this.prefix[i + 1] = addHash(this.prefix[i], rowHash(rows[i].key, rows[i].values));
  }

  async checksum(range: TextKeyRange): Promise<SegmentChecksum> {
    const [from, to] = this.bounds(range);
    return { count: to - from, sum: subtractHash(this.prefix[to], this.prefix[from]) };
  }

  async checksums(range: TextKeyRange, cuts: readonly (readonly string[])[]): Promise<SegmentChecksum[]> {
    const [from, to] = this.bounds(range);
    const ends = [...cuts.map((cut) => Math.min(to, Math.max(from, this.firstAbove(cut)))), to];
    return ends.map((end, i) => {
      const start = i === 0 ? from : ends[i - 1];
      return { count: end - start, sum: subtractHash(this.prefix[end], this.prefix[start]) };
    });
  }

  async splitPoints(range: TextKeyRange, parts: number): Promise<string[][]> {
    const [from, to] = this.bounds(range);
    const step = Math.max(1, Math.ceil((to - from) / parts));
    const points: string[][] = [];
    for (let i = from + step - 1; i < to - 1; i += step) points.push([...this.rowsInOrder[i].key]);
    return points;
  }

  async rows(range: TextKeyRange): Promise<CanonicalRow[]> {
    const [from, to] = this.bounds(range);
    return this.rowsInOrder.slice(from, to);
  }

  async close(): Promise<void> {}

  /** [first index with key > after, first index with key > upTo). */
  private bounds(range: TextKeyRange): [number, number] {
    const from = range.after ? this.firstAbove(range.after) : 0;
    const to = range.upTo ? this.firstAbove(range.upTo) : this.rowsInOrder.length;
    return [from, Math.max(from, to)];
  }

  private firstAbove(key: readonly string[]): number {
    let lo = 0;
    let hi = this.rowsInOrder.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.rowsInOrder[mid].key, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
