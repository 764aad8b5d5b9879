import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalRow, TextKeyRange } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { ExpectedOrigin } from './expected-rows.js';
import type { KeyComparator } from './key-order.js';

/** One key range's expected rows, with the origin of each by target key (encodeKey of the key texts). */
export interface ExpectedPartition {
  readonly range: TextKeyRange;
  readonly rows: CanonicalRow[];
  readonly origins: Map<string, ExpectedOrigin>;
}

/** Bytes of spilled lines buffered per partition before they are appended to its file. */
const FLUSH_BYTES = 1 << 20;

type Line = [key: readonly string[], values: readonly (string | null)[], sourceKey: string, sourceTexts: readonly (string | null)[]];

/**
 * The expected side of verify, cut into target key ranges and spilled to disk, so that verify
 * holds one range's rows at a time, never the whole table. The source arrives in source order
 * (which is not target key order: generated keys, joins), so every row goes to the file of its
 * range; each range is then read back and compared on its own. With no bounds, one range holds
 * everything in memory (the table is small).
 *
 * Invariant: the ranges are (bounds[i-1], bounds[i]] with open ends, so every key has one range.
 */
export class ExpectedPartitions {
  private readonly pending: string[][];
  private readonly pendingBytes: number[];
  private readonly held: ExpectedPartition | undefined;
  private total = 0;

  private constructor(
    private readonly bounds: readonly (readonly string[])[],
    private readonly compare: KeyComparator,
    private readonly dir: string | undefined,
  ) {
    this.pending = bounds.map(() => []).concat([[]]);
    this.pendingBytes = this.pending.map(() => 0);
    this.held = dir ? undefined : { range: {}, rows: [], origins: new Map() };
  }

  /** Ranges cut at `bounds` (ascending target keys); spilled to a temporary folder when there is more than one. */
  static async open(bounds: readonly (readonly string[])[], compare: KeyComparator): Promise<ExpectedPartitions> {
    const dir = bounds.length > 0 ? await mkdtemp(join(tmpdir(), 'crmbridge-verify-')) : undefined;
    return new ExpectedPartitions(bounds, compare, dir);
  }

  /** Rows added so far. */
  get count(): number {
    return this.total;
  }

  get partitions(): number {
    return this.bounds.length + 1;
  }

  async add(row: CanonicalRow, origin: ExpectedOrigin): Promise<void> {
    this.total++;
    if (this.held) {
      this.held.rows.push(row);
      this.held.origins.set(encodeKey(row.key), origin);
      return;
    }
    const i = this.partitionOf(row.key);
    const line = JSON.stringify([row.key, row.values, origin.sourceKey, origin.sourceTexts] satisfies Line);
    this.pending[i].push(line);
    this.pendingBytes[i] += line.length;
    if (this.pendingBytes[i] >= FLUSH_BYTES) await this.flush(i);
  }

  /** Partition `i`'s rows, read back whole (the caller holds one at a time). */
  async load(i: number): Promise<ExpectedPartition> {
    if (this.held) return this.held;
    await this.flush(i);
    const after = this.bounds[i - 1];
    const upTo = this.bounds[i];
    const range: TextKeyRange = { ...(after ? { after } : {}), ...(upTo ? { upTo } : {}) };
    const text = await readFile(this.file(i), 'utf8').catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? '' : Promise.reject(err),
    );
    const rows: CanonicalRow[] = [];
    const origins = new Map<string, ExpectedOrigin>();
    for (const json of text.split('\n')) {
      if (json === '') continue;
      const [key, values, sourceKey, sourceTexts] = JSON.parse(json) as Line;
      rows.push({ key, values });
      origins.set(encodeKey(key), { sourceKey, sourceTexts });
    }
    return { range, rows, origins };
  }

  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** The first range whose upper bound is at or above the key (binary search over the bounds). */
  private partitionOf(key: readonly string[]): number {
    let low = 0;
    let high = this.bounds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(key, this.bounds[middle]) <= 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  private async flush(i: number): Promise<void> {
    if (this.pending[i].length === 0) return;
    const text = `${this.pending[i].join('\n')}\n`;
    this.pending[i] = [];
    this.pendingBytes[i] = 0;
    await appendFile(this.file(i), text);
  }

  private file(i: number): string {
    return join(this.dir!, `part-${i}.jsonl`);
  }
}
