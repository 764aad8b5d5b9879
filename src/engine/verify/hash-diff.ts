import type { CanonicalRow, ChecksumSession, SegmentChecksum, TextKeyRange } from '../../connectors/contract.js';
import type { CanonicalKind } from '../../core/types.js';
import { keyComparator } from './key-order.js';

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

/** Default fan-out: few enough levels that 1,000 scattered differences cost three scans per side. */
export const DEFAULT_FACTOR = 32;
export const DEFAULT_THRESHOLD = 1024;
/** Parts of one grouped scan at most (its CASE tree is log2 of it deep). */
const MAX_PARTS = 1024;

/**
 * data-diff's algorithm: compare count and checksum of a key range on both sides; equal means
 * equal (up to a 2^-64 collision); a differing range is cut into `factor` parts and the parts'
 * checksums computed in ONE grouped scan per side (both sides at once), and each differing part
 * is visited in turn, down to `threshold` rows, which are then downloaded from both sides and
 * compared key by key. The cut above the download is finer (parts of threshold / 8 rows). Identical tables cost one checksum each.
 *
 * Cuts: a single integer key whose range has both bounds is cut arithmetically (no query); any
 * other range at the larger side's key quantiles. Arithmetic cuts on skewed keys give uneven
 * parts, but each level still narrows the key span `factor` times, so the descent ends.
 */
export async function hashDiff(
  a: ChecksumSession,
  b: ChecksumSession,
  keyKinds: readonly CanonicalKind[],
  options: HashDiffOptions & { readonly range?: TextKeyRange } = {},
): Promise<HashDiffResult> {
  const factor = options.factor ?? DEFAULT_FACTOR;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const compare = keyComparator(keyKinds);
  const integerKey = keyKinds.length === 1 && (keyKinds[0] === 'integer' || keyKinds[0] === 'bigint');
  const result: HashDiffResult = { onlyA: [], onlyB: [], changed: [], stats: { segments: 0, rowsCompared: 0 } };

  const visit = async (range: TextKeyRange, ca: SegmentChecksum, cb: SegmentChecksum): Promise<void> => {
    result.stats.segments++;
    if (ca.count === cb.count && ca.sum === cb.sum) return;
    const rows = Math.max(ca.count, cb.count);
    let cuts: readonly (readonly string[])[] = [];
    if (rows > threshold) {
      // The last cut before the download makes parts of about threshold / 8 rows, so that a few
      // scattered differences download a few small parts, not whole threshold-sized ones.
      const parts = rows > factor * threshold ? factor : Math.min(MAX_PARTS, Math.max(factor, Math.ceil((rows * 8) / threshold)));
      cuts = (integerKey && integerCuts(range, parts)) || (await (ca.count >= cb.count ? a : b).splitPoints(range, parts));
    }
    if (cuts.length === 0) {
      const [ra, rb] = await Promise.all([a.rows(range), b.rows(range)]);
      result.stats.rowsCompared += ra.length + rb.length;
      compareRows(ra, rb, compare, result);
      return;
    }
    const [pa, pb] = await Promise.all([a.checksums(range, cuts), b.checksums(range, cuts)]);
    const bounds: (readonly string[] | undefined)[] = [range.after, ...cuts, range.upTo];
    for (let i = 0; i < pa.length; i++) {
      const after = bounds[i];
      const upTo = bounds[i + 1];
      await visit({ ...(after ? { after } : {}), ...(upTo ? { upTo } : {}) }, pa[i], pb[i]);
    }
  };
  const range = options.range ?? {};
  const [ca, cb] = await Promise.all([a.checksum(range), b.checksum(range)]);
  await visit(range, ca, cb);
  return result;
}

/**
 * Up to `parts` - 1 evenly spaced integer cuts strictly inside (after, upTo], or undefined when
 * the range is open on a side (the first and last parts of the top level) and quantiles must do.
 */
function integerCuts(range: TextKeyRange, parts: number): string[][] | undefined {
  if (!range.after || !range.upTo) return undefined;
  const low = BigInt(range.after[0]);
  const span = BigInt(range.upTo[0]) - low;
  const n = span < BigInt(parts) ? span : BigInt(parts);
  const cuts: string[][] = [];
  for (let i = 1n; i < n; i++) cuts.push([String(low + (span * i) / n)]);
  return cuts;
}

/** Merges two key-ordered row lists. A key present more often on one side counts as extra there. */
function compareRows(
  ra: readonly CanonicalRow[],
  rb: readonly CanonicalRow[],
  compare: ReturnType<typeof keyComparator>,
  into: HashDiffResult,
): void {
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
