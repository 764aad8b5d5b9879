import { CrmError, isCrmError } from '../../core/errors/index.js';
import type { TableSchema } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { Checkpoint, LedgerCounts } from '../../state/state-store.js';

/**
 * The messages between the migrate engine and its worker threads. Everything here is plain
 * data (structured clone): plans, schemas, checkpoints — never connectors or functions.
 */

/** What every worker of a run is started with. */
export interface ChunkWorkerSetup {
  readonly runId: string;
  readonly batchSize: number;
  /** The plan's time zone, default country and locale (custom modules are loaded by the worker itself). */
  readonly transformContext: Pick<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'>;
  /** Columns of each source table, as `[table, columns]` pairs. */
  readonly tableColumns: readonly (readonly [string, readonly string[]])[];
}

/**
 * One task: pass 1 of an object over one key range (the whole object, chunk 0, or one chunk of
 * it), or pass 2 of an object (its deferred references) — as the checkpoint's `pass` says.
 */
export interface ChunkTask {
  readonly id: number;
  readonly object: ObjectPlan;
  readonly targetTable: TableSchema;
  /** Where the task resumes: its pass, chunk number, position, upper bound and ledger so far. */
  readonly checkpoint: Checkpoint;
  /** The target table was empty when the object's first load began (see `PassContext.freshObjects`). */
  readonly fresh: boolean;
}

export type ToWorker =
  | { readonly type: 'task'; readonly task: ChunkTask }
  /** Stop the task after the batch being written (its checkpoint is kept). */
  | { readonly type: 'abort'; readonly taskId: number }
  /** No more tasks: close the connections and end the thread. */
  | { readonly type: 'close' };

/** A user error crossing the thread boundary (an Error loses its own fields in a structured clone). */
export interface WorkerError {
  readonly code?: string;
  readonly message: string;
  readonly location?: Readonly<Record<string, unknown>>;
  readonly stack?: string;
}

export type FromWorker =
  /** A batch of the task committed; `ledger` is the range's ledger so far. */
  | { readonly type: 'batch'; readonly taskId: number; readonly ledger: LedgerCounts }
  | { readonly type: 'done'; readonly taskId: number; readonly ledger: LedgerCounts; readonly unresolved: number }
  | { readonly type: 'failed'; readonly taskId: number; readonly error: WorkerError }
  /** The worker could not open its connections: no task can run on it. */
  | { readonly type: 'broken'; readonly error: WorkerError };

export function workerError(err: unknown): WorkerError {
  if (isCrmError(err)) return { code: err.code, message: err.message, location: { ...err.location } };
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/** The engine side of `workerError`: a CrmError again, or an internal error carrying the worker's stack. */
export function errorFromWorker(error: WorkerError): Error {
  if (error.code) return new CrmError(error.code as CrmError['code'], error.message, { location: error.location ?? {} });
  const internal = new Error(error.message);
  if (error.stack) internal.stack = error.stack;
  return internal;
}
