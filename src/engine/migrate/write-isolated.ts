import type { WriteOptions, Writer } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { Row } from '../../core/types.js';
import { isRowLevel } from '../reject-reasons.js';

export interface IsolatedWrite {
  /** Indices (into the rows given) that were written. */
  readonly written: number[];
  readonly failed: { readonly index: number; readonly error: CrmError }[];
}

/**
 * Writes rows; when the target refuses a batch, splits it in halves until the bad rows stand
 * alone. Because each `write` is atomic, every good row is committed exactly once and a bad row
 * never causes a good one to be sent twice after its commit. An error that is not about a row
 * (connection lost, permission) is rethrown: the object stops with its checkpoint intact.
 */
export function writeIsolated(
  writer: Writer,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  options: WriteOptions,
): Promise<IsolatedWrite> {
  return isolated(rows.length, async (indices) => {
    await writer.write(table, { columns, rows: indices.map((i) => rows[i]) }, options);
  });
}

/**
 * Applies one atomic change to `count` items (`apply` gets their indices); when the target
 * refuses it with a row-level error, splits the items in halves until the refused ones stand
 * alone (the same bisection as `writeIsolated`, for any atomic write: deletes too).
 */
export async function isolated(count: number, apply: (indices: readonly number[]) => Promise<void>): Promise<IsolatedWrite> {
  const written: number[] = [];
  const failed: { index: number; error: CrmError }[] = [];
  const attempt = async (indices: number[]): Promise<void> => {
    if (indices.length === 0) return;
    try {
      await apply(indices);
      written.push(...indices);
    } catch (err) {
      if (!(err instanceof CrmError) || !isRowLevel(err.code)) throw err;
      if (indices.length === 1) {
        failed.push({ index: indices[0], error: err });
        return;
      }
      const half = Math.ceil(indices.length / 2);
      await attempt(indices.slice(0, half));
      await attempt(indices.slice(half));
    }
  };
  await attempt(Array.from({ length: count }, (_, i) => i));
  return { written, failed };
}
