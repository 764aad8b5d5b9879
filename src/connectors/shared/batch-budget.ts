import type { Row } from '../../core/types.js';

/**
 * Default cap on a read batch's estimated size in memory. Rows alone do not bound memory: 5,000
 * rows of a notes table with large text bodies can weigh gigabytes. The engine holds about three
 * batches at once (one read ahead, one being mapped, one being written), each also mapped once.
 */
export const DEFAULT_BATCH_BYTES = 16 * 2 ** 20;

/** Fixed cost counted per value (pointer, header): keeps a wide row of short values from counting as free. */
const PER_VALUE = 16;

/**
 * Estimated bytes a row's values take in memory: strings at two bytes a character (V8 may store
 * one, so this errs high), binary at its length, arrays by their items, anything else fixed.
 */
export function rowBytes(row: Row): number {
  let bytes = 0;
  for (const v of row) bytes += valueBytes(v);
  return bytes;
}

function valueBytes(v: unknown): number {
  if (typeof v === 'string') return PER_VALUE + 2 * v.length;
  if (v instanceof Uint8Array) return PER_VALUE + v.byteLength;
  if (Array.isArray(v)) {
    let bytes = PER_VALUE;
    for (const item of v) bytes += valueBytes(item);
    return bytes;
  }
  return PER_VALUE;
}

/**
 * Decides where a reader cuts its batches: after `batchSize` rows, or earlier once the rows'
 * estimated size reaches `maxBatchBytes` — whichever comes first. A batch always holds at least
 * one row, so a single row larger than the cap is still read (alone).
 */
export class BatchBudget {
  readonly #rows: number;
  readonly #bytes: number;
  #count = 0;
  #size = 0;

  constructor(options: { readonly batchSize?: number; readonly maxBatchBytes?: number }, defaultRows: number) {
    this.#rows = Math.max(1, options.batchSize ?? defaultRows);
    this.#bytes = Math.max(1, options.maxBatchBytes ?? DEFAULT_BATCH_BYTES);
  }

  /** The rows per batch at most (for drivers' fetch sizes). */
  get rows(): number {
    return this.#rows;
  }

  /** Counts a row (or a reject's raw text) into the current batch; true when the batch is full. */
  add(item: Row | string): boolean {
    this.#count++;
    this.#size += typeof item === 'string' ? PER_VALUE + 2 * item.length : rowBytes(item);
    if (this.#count < this.#rows && this.#size < this.#bytes) return false;
    this.#count = 0;
    this.#size = 0;
    return true;
  }
}
