import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Cut points (target keys) that split a key range into about `parts` ranges of equal row count. */
export type RangeSplitter = (range: TextKeyRange, parts: number) => Promise<string[][]>;

/** Bytes of spilled lines buffered per partition before they are appended to its file. */
const FLUSH_BYTES = 1 << 20;

/**
 * Default bound of one range's rows as JSON text: what `load` holds at once (the parsed rows
 * take about three times that in the heap). 16 MiB: 50,000 narrow rows, or a few thousand notes.
 */
export const DEFAULT_RANGE_BYTES = 16 << 20;

/** A range is split again at most this many times (a target that lacks the rows cannot split them). */
const MAX_SPLIT_DEPTH = 3;

type Line = [key: readonly string[], values: readonly (string | null)[], sourceKey: string, sourceTexts: readonly (string | null)[]];

/**
 * The expected side of verify, cut into target key ranges and spilled to disk, so that verify
 * holds one range's rows at a time, never the whole table. The source arrives in source order
 * (which is not target key order: generated keys, joins), so every row goes to the file of its
 * range; each range is then read back and compared on its own. With no bounds, the rows are held
 * in memory while they are few (under `maxBytes` as JSON), else spilled like one range.
 *
 * Rows are counted in the ranges, but they weigh in bytes: a range whose file outgrows
 * `maxBytes` (wide rows, or a target that lacks most of the source's keys so its quantiles cut
 * too few ranges) is cut again at the target's key quantiles within it and streamed into the
 * sub-ranges' files, so what is held at once stays bounded by bytes (`ranges`).
 *
 * Invariant: the ranges are (bounds[i-1], bounds[i]] with open ends (or the outer range's ends),
 * so every key has one range.
 */
export class ExpectedPartitions {
  private readonly pending: string[][];
  private readonly pendingBytes: number[];
  /** Bytes of JSON lines per partition, written or pending. */
  private readonly bytes: number[];
  private held: ExpectedPartition | undefined;
  private dir: string | undefined;
  private total = 0;

  private constructor(
    private readonly bounds: readonly (readonly string[])[],
    private readonly compare: KeyComparator,
    private readonly maxBytes: number,
    private readonly outer: TextKeyRange,
  ) {
    this.pending = bounds.map(() => []).concat([[]]);
    this.pendingBytes = this.pending.map(() => 0);
    this.bytes = this.pending.map(() => 0);
    this.held = bounds.length === 0 ? { range: outer, rows: [], origins: new Map() } : undefined;
  }

  /** Ranges cut at `bounds` (ascending target keys) within `outer`; spilled to a temporary folder when more than one, or too large. */
  static async open(
    bounds: readonly (readonly string[])[],
    compare: KeyComparator,
    options: { maxBytes?: number; outer?: TextKeyRange } = {},
  ): Promise<ExpectedPartitions> {
    const partitions = new ExpectedPartitions(bounds, compare, options.maxBytes ?? DEFAULT_RANGE_BYTES, options.outer ?? {});
    if (bounds.length > 0) await partitions.spillFolder();
    return partitions;
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
      this.bytes[0] += textBytes(row.key) + textBytes(row.values) + origin.sourceKey.length + textBytes(origin.sourceTexts);
      if (this.bytes[0] <= this.maxBytes) {
        this.held.rows.push(row);
        this.held.origins.set(encodeKey(row.key), origin);
        return;
      }
      await this.spillHeld();
    }
    const line = JSON.stringify([row.key, row.values, origin.sourceKey, origin.sourceTexts] satisfies Line);
    await this.addLine(this.partitionOf(row.key), line);
  }

  /**
   * Partition `i`'s rows, in one range or, when its rows outgrow `maxBytes`, in several (cut by
   * `split` within its range): one at a time, each read back when the previous was handled.
   */
  async *ranges(i: number, split: RangeSplitter, depth = 0): AsyncGenerator<ExpectedPartition> {
    if (this.held) {
      yield this.held;
      return;
    }
    await this.flush(i);
    const range = this.rangeOf(i);
    const parts = Math.ceil(this.bytes[i] / this.maxBytes);
    const cuts = parts > 1 && depth < MAX_SPLIT_DEPTH ? await split(range, parts) : [];
    if (cuts.length === 0) {
      yield await this.load(i);
      return;
    }
    const finer = await ExpectedPartitions.open(cuts, this.compare, { maxBytes: this.maxBytes, outer: range });
    try {
      for await (const line of this.lines(i)) await finer.addLine(finer.partitionOf((JSON.parse(line) as Line)[0]), line);
      for (let j = 0; j < finer.partitions; j++) yield* finer.ranges(j, split, depth + 1);
    } finally {
      await finer.close();
    }
  }

  /** Partition `i`'s rows, read back whole, line by line (the caller holds one at a time). */
  async load(i: number): Promise<ExpectedPartition> {
    if (this.held) return this.held;
    await this.flush(i);
    const rows: CanonicalRow[] = [];
    const origins = new Map<string, ExpectedOrigin>();
    for await (const json of this.lines(i)) {
      const [key, values, sourceKey, sourceTexts] = JSON.parse(json) as Line;
      rows.push({ key, values });
      origins.set(encodeKey(key), { sourceKey, sourceTexts });
    }
    return { range: this.rangeOf(i), rows, origins };
  }

  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private rangeOf(i: number): TextKeyRange {
    const after = i === 0 ? this.outer.after : this.bounds[i - 1];
    const upTo = i === this.bounds.length ? this.outer.upTo : this.bounds[i];
    return { ...(after ? { after } : {}), ...(upTo ? { upTo } : {}) };
  }

  /** The lines of partition `i`'s file, streamed (no file read whole). */
  private async *lines(i: number): AsyncGenerator<string> {
    if (this.bytes[i] === 0) return;
    const input = createInterface({ input: createReadStream(this.file(i), 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of input) if (line !== '') yield line;
  }

  /** The rows held so far go to partition 0's file: from now on the table is spilled like any. */
  private async spillHeld(): Promise<void> {
    const held = this.held!;
    this.held = undefined;
    await this.spillFolder();
    this.bytes[0] = 0;
    for (const row of held.rows) {
      const origin = held.origins.get(encodeKey(row.key))!;
      await this.addLine(0, JSON.stringify([row.key, row.values, origin.sourceKey, origin.sourceTexts] satisfies Line));
    }
  }

  private async spillFolder(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'crmbridge-verify-'));
  }

  private async addLine(i: number, line: string): Promise<void> {
    this.pending[i].push(line);
    this.pendingBytes[i] += line.length + 1;
    this.bytes[i] += line.length + 1;
    if (this.pendingBytes[i] >= FLUSH_BYTES) await this.flush(i);
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

/** About the JSON bytes of a list of texts (a held row is not serialised just to be weighed). */
function textBytes(texts: readonly (string | null)[]): number {
  let n = 2;
  for (const t of texts) n += t === null ? 5 : t.length + 3;
  return n;
}
