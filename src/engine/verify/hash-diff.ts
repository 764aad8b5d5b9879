import type { CanonicalRow, ChecksumSession, TextKeyRange } from '../../connectors/contract.js';
import type { KeyComparator } from './key-order.js';

/** A row present on both sides whose compared columns differ. */
export interface ChangedRow {
  readonly key: readonly string[];
  readonly a: readonly (string | null)[];
  readonly b: readonly (string | null)[];
  /** Positions (in the compared columns) that differ. */
  readonly columns: readonly number[];
}

export interface HashDiffStats {
  /** Key-range segments whose checksums were compared. */
  segments: number;
  /** Rows downloaded from both sides to compare row by row. */
  rowsCompared: number;
}

export interface HashDiffResult {
  readonly onlyA: CanonicalRow[];
  readonly onlyB: CanonicalRow[];
  readonly changed: ChangedRow[];
  readonly stats: HashDiffStats;
}

export interface HashDiffOptions {
  /** Sub-segments per differing segment (data-diff's bisection factor). */
  readonly factor?: number;
  /** At or below this many rows, a differing segment is downloaded and compared by key. */
  readonly threshold?: number;
}

/**
 * data-diff's algorithm: compare count and checksum of a key range on both sides; equal means
 * equal (up to a 2^-64 collision); a differing range is cut at the larger side's key quantiles
 * into `factor` parts and each part compared again, down to `threshold` rows, which are then
 * downloaded from both sides and compared key by key. Identical tables cost one checksum each.
 */
export async function hashDiff(
  a: ChecksumSession,
  b: ChecksumSession,
  compare: KeyComparator,
  options: HashDiffOptions = {},
): Promise<HashDiffResult> {
  const factor = options.factor ?? 16;
  const threshold = options.threshold ?? 1024;
  const result: HashDiffResult = { onlyA: [], onlyB: [], changed: [], stats: { segments: 0, rowsCompared: 0 } };

  const visit = async (range: TextKeyRange): Promise<void> => {
    result.stats.segments++;
    const [ca, cb] = await Promise.all([a.checksum(range), b.checksum(range)]);
    if (ca.count === cb.count && ca.sum === cb.sum) return;
    const larger = ca.count >= cb.count ? a : b;
    const points = Math.max(ca.count, cb.count) > threshold ? await larger.splitPoints(range, factor) : [];
    if (points.length === 0) {
      const [ra, rb] = await Promise.all([a.rows(range), b.rows(range)]);
      result.stats.rowsCompared += ra.length + rb.length;
      compareRows(ra, rb, compare, result);
      return;
    }
    const cuts: (readonly string[] | undefined)[] = [range.after, ...points, range.upTo];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const after = cuts[i];
      const upTo = cuts[i + 1];
      await visit({ ...(after ? { after } : {}), ...(upTo ? { upTo } : {}) });
    }
  };
  await visit({});
  return result;
}

/** Merges two key-ordered row lists. A key present more often on one side counts as extra there. */
function compareRows(ra: readonly CanonicalRow[], rb: readonly CanonicalRow[], compare: KeyComparator, into: HashDiffResult): void {
  let i = 0;
  let j = 0;
  while (i < ra.length || j < rb.length) {
    const c = i >= ra.length ? 1 : j >= rb.length ? -1 : compare(ra[i].key, rb[j].key);
    if (c < 0) into.onlyA.push(ra[i++]);
    else if (c > 0) into.onlyB.push(rb[j++]);
    else {
      const x = ra[i++];
      const y = rb[j++];
      const columns: number[] = [];
      for (let k = 0; k < x.values.length; k++) if (x.values[k] !== y.values[k]) columns.push(k);
      if (columns.length > 0) into.changed.push({ key: x.key, a: x.values, b: y.values, columns });
    }
  }
}
