import { encodeKey } from '../../core/keys.js';
import type { TableSchema } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { ObjectMapper } from '../../mapping/row-mapper.js';
import type { Checkpoint, LedgerCounts, StateStore } from '../../state/state-store.js';
import { addLedger, emptyLedger } from '../ledger.js';
import { chunkOf, loadObject, type PassContext } from './object-pass.js';
import type { SourceBatch } from './source-batches.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Key-range chunks: pass 1 of a large table on a keyed source is cut into ranges of about equal
 * row count, loaded in parallel by worker threads, each range with its own checkpoint. The
 * chunks are stored (all in one transaction) before any is loaded, so a resume finds exactly the
 * same ranges; the object's ledger is the sum of its chunks' ledgers.
 */

/** The whole-object checkpoint (chunk 0) of a pass. */
export function checkpointOf(checkpoints: readonly Checkpoint[], object: string, pass: number): Checkpoint | undefined {
  return checkpoints.find((c) => c.object === object && c.pass === pass && !c.chunk);
}

/** The chunk checkpoints (chunk > 0) of an object's load pass, in key order. */
export function chunksOf(checkpoints: readonly Checkpoint[], object: string): Checkpoint[] {
  return checkpoints.filter((c) => c.object === object && c.pass === 1 && c.chunk).sort((a, b) => a.chunk! - b.chunk!);
}

/** An object's pass-1 ledger so far: its whole-object checkpoint's, else the sum of its chunks'. */
export function ledgerOf(checkpoints: readonly Checkpoint[], object: string): LedgerCounts {
  const whole = checkpointOf(checkpoints, object, 1);
  return whole ? { ...whole.ledger } : sumLedgers(chunksOf(checkpoints, object).map((c) => c.ledger));
}

export function sumLedgers(ledgers: Iterable<LedgerCounts>): LedgerCounts {
  const total = emptyLedger();
  for (const l of ledgers) addLedger(total, l);
  return total;
}

/**
 * Cuts an object's source into `parts` key ranges and stores them, or returns none: a source that
 * cannot cut (files, no `splitKeyRange`), or fewer rows than a batch per part.
 */
export async function planChunks(ctx: PassContext, object: ObjectPlan, parts: number): Promise<Checkpoint[]> {
  const { table, key, filter } = object.source;
  if (parts < 2 || !ctx.source.capabilities.keyRanges || !ctx.source.splitKeyRange) return [];
  const where = filter ? { where: filter } : undefined;
  const rows = await ctx.source.count(table, where);
  const n = Math.min(parts, Math.floor(rows / ctx.batchSize));
  if (n < 2) return [];
  const bounds = (await ctx.source.splitKeyRange(table, key, n, where)).map((cut) => encodeKey(cut));
  if (bounds.length === 0) return [];
  const chunks: Checkpoint[] = [...bounds, undefined].map((upTo, i) => ({
    object: object.name,
    pass: 1,
    chunk: i + 1,
    // A range starts after the previous range's upper bound ('' = from the start of the table).
    position: i === 0 ? '' : bounds[i - 1],
    ...(upTo !== undefined ? { upTo } : {}),
    done: false,
    ledger: emptyLedger(),
  }));
  await ctx.state.startChunks(ctx.runId, object.name, 1, chunks);
  return chunks;
}

/**
 * Loads one range in this thread (a chunk left by a parallel run, resumed without workers) and
 * marks the chunk done. A worker thread does the same for its tasks.
 */
export async function loadRange(
  ctx: PassContext,
  object: ObjectPlan,
  mapper: ObjectMapper,
  table: TableSchema,
  range: Checkpoint,
  batches: AsyncIterable<SourceBatch>,
): Promise<LedgerCounts> {
  const ledger = await loadObject(ctx, object, mapper, table, { ledger: range.ledger, ...chunkOf(range) }, batches);
  // The whole object (chunk 0) is marked done by the engine, which adds the filtered rows first.
  if (range.chunk) await markDone(ctx.state, ctx.runId, range, ledger);
  return ledger;
}

/** Marks a pass (or one chunk of it) done, with its final ledger. */
export async function markDone(
  state: StateStore,
  runId: string,
  at: Pick<Checkpoint, 'object' | 'pass' | 'chunk' | 'upTo'>,
  ledger: LedgerCounts,
): Promise<void> {
  const checkpoint: Checkpoint = { ...at, position: '', done: true, ledger: { ...ledger } };
  await state.commitBatch(runId, { object: at.object, pass: at.pass, checkpoint });
}

/**
 * Runs the ranges of one object on the pool, reporting the object's summed ledger after every
 * committed batch of any range. The first range that fails stops its siblings (after their
 * current batch) and is rethrown once all have stopped.
 */
export async function runRangesOnPool(
  pool: WorkerPool,
  object: ObjectPlan,
  table: TableSchema,
  ranges: readonly Checkpoint[],
  fresh: boolean,
  onLedger: (ledger: LedgerCounts) => void,
): Promise<LedgerCounts> {
  const current = new Map(ranges.map((r) => [r.chunk ?? 0, r.ledger]));
  let failure: unknown;
  await Promise.all(
    ranges
      .filter((r) => !r.done)
      .map((range) =>
        pool
          .run({ object, targetTable: table, checkpoint: range, fresh }, (ledger) => {
            current.set(range.chunk ?? 0, ledger);
            onLedger(sumLedgers(current.values()));
          })
          .then(
            ({ ledger }) => {
              current.set(range.chunk ?? 0, ledger);
            },
            (err: unknown) => {
              failure ??= err;
              pool.abort(new Set([object.name]));
            },
          ),
      ),
  );
  if (failure !== undefined) throw failure;
  return sumLedgers(current.values());
}
