import type { Connector } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { Value } from '../../core/types.js';
import type { StateStore } from '../../state/state-store.js';
import { parseWatermark, shiftTimestamp, watermarkOf } from './watermark.js';

/** One table polled by an updatedAt column, with the name its watermark is stored under. */
export interface WatermarkSpec {
  readonly connector: Connector;
  readonly table: string;
  readonly key: readonly string[];
  readonly column: string;
  readonly position: string;
}

/** Changed keys of one batch; `commit` stores the watermark (call it only after the keys were applied) and returns its timestamp. */
export interface WatermarkBatch {
  readonly keys: string[];
  commit(): Promise<string>;
}

/**
 * Rows of a table read in `(updatedAt, key)` order after `(watermark - lookback, key)`: the key
 * breaks ties, so rows sharing a timestamp are all read (the airbyte#80152 bug), and the
 * look-back re-reads late commits that got an older timestamp than rows already read. The
 * watermark is stored only by `commit`, so a batch that failed to apply is read again. With a
 * look-back, rows at the watermark's own timestamp are always re-read, so the watermark's key
 * only matters without one.
 */
export async function* watermarkBatches(
  state: StateStore,
  spec: WatermarkSpec,
  options: { readonly lookbackSeconds: number; readonly batchSize: number; readonly signal: AbortSignal },
): AsyncGenerator<WatermarkBatch> {
  const { column, key } = spec;
  let mark = parseWatermark(await state.getSyncPosition(spec.position));
  const after: Value[] | undefined = mark ? [shiftTimestamp(mark.ts, -options.lookbackSeconds), ...mark.key] : undefined;
  const rows = spec.connector.read(spec.table, {
    columns: [...key, column],
    orderBy: [column, ...key],
    batchSize: options.batchSize,
    signal: options.signal,
    ...(after ? { keyRange: { after } } : {}),
    // A row without a timestamp cannot be ordered after a watermark: never polled.
    where: `${column} IS NOT NULL`,
  });
  for await (const batch of rows) {
    const last = batch.rows[batch.rows.length - 1];
    const candidate = watermarkOf(last[key.length], last.slice(0, key.length));
    yield {
      keys: batch.rows.map((r) => encodeKey(r.slice(0, key.length))),
      commit: async () => {
        // Rows arrive in (updatedAt, key) order: without look-back every row is past the old
        // watermark; with it, only a later timestamp moves the watermark forward.
        if (!mark || options.lookbackSeconds === 0 || candidate.ts > mark.ts) mark = candidate;
        await state.setSyncPosition(spec.position, JSON.stringify(mark));
        return mark.ts;
      },
    };
    if (options.signal.aborted) break;
  }
}
