import type { MessagePort } from 'node:worker_threads';
import type { Connector, Writer } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import { compileObjectMapper } from '../../mapping/row-mapper.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { StateStore } from '../../state/state-store.js';
import { IdResolver } from '../id-resolver.js';
import { type ChunkTask, type ChunkWorkerSetup, type FromWorker, type ToWorker, workerError } from './chunk-task.js';
import { loadRange } from './chunks.js';
import { deferredView, loadDeferredReferences } from './deferred-pass.js';
import type { PassContext } from './object-pass.js';
import { sourceBatches } from './source-batches.js';
import { UniqueGuard } from './unique-guard.js';

/** How a worker opens its own connections (given by the entry script, which may open connectors by URL). */
export interface ChunkWorkerOpeners {
  source(): Promise<Connector>;
  target(): Promise<Connector>;
  state(): Promise<StateStore>;
  /** The custom transform modules of the plan, imported in this thread. */
  customModules?(): Promise<TransformContext['customModules']>;
}

/**
 * The body of a migrate worker thread: opens its own source, target, writer and state store
 * once, then runs tasks one at a time as the engine sends them — pass 1 of an object or of one
 * key range of it, or pass 2 of an object — each exactly as the main thread would (same batches,
 * same checkpoints after each committed target write), reporting every committed batch's
 * ledger. Rows never cross the thread boundary.
 */
export async function serveChunks(port: MessagePort, setup: ChunkWorkerSetup, open: ChunkWorkerOpeners): Promise<void> {
  const post = (message: FromWorker) => port.postMessage(message);
  let opened: { source: Connector; target: Connector; writer: Writer; state: StateStore; context: TransformContext };
  try {
    const [source, target, state, customModules] = await Promise.all([open.source(), open.target(), open.state(), open.customModules?.()]);
    const context = { ...setup.transformContext, ...(customModules ? { customModules } : {}) };
    opened = { source, target, writer: await target.writer(), state, context };
  } catch (err) {
    post({ type: 'broken', error: workerError(err) });
    return;
  }
  const { writer } = opened;
  const tableColumns = new Map(setup.tableColumns);
  const aborts = new Map<number, AbortController>();

  const run = async (task: ChunkTask) => {
    const abort = new AbortController();
    aborts.set(task.id, abort);
    const { object, checkpoint } = task;
    const ctx: PassContext = {
      runId: setup.runId,
      source: opened.source,
      target: opened.target,
      writer,
      state: opened.state,
      ids: new IdResolver(opened.state, false),
      batchSize: setup.batchSize,
      signal: abort.signal,
      // Progress is summed over the object's chunks by the engine, from the batch messages.
      emit: () => {},
      tableColumns,
      uniques: new UniqueGuard(new Map([[task.targetTable.name, task.targetTable]])),
      freshObjects: new Set(task.fresh ? [object.name] : []),
      missingTables: new Set(),
      afterBatch: (_object, ledger) => post({ type: 'batch', taskId: task.id, ledger: { ...ledger } }),
    };
    const batches = (plan: ObjectPlan) =>
      sourceBatches(opened.source, plan, {
        batchSize: setup.batchSize,
        tableColumns,
        signal: abort.signal,
        ...(checkpoint.position ? { after: checkpoint.position } : {}),
        ...(checkpoint.upTo !== undefined ? { upTo: checkpoint.upTo } : {}),
      });
    try {
      if (checkpoint.pass === 2) {
        const view = deferredView(object);
        const mapper = compileObjectMapper(view, opened.context);
        const outcome = await loadDeferredReferences(ctx, object, mapper, task.targetTable, checkpoint, batches(view));
        post({ type: 'done', taskId: task.id, ledger: checkpoint.ledger, unresolved: outcome.unresolved });
      } else {
        const mapper = compileObjectMapper(object, opened.context);
        const ledger = await loadRange(ctx, object, mapper, task.targetTable, checkpoint, batches(object));
        post({ type: 'done', taskId: task.id, ledger, unresolved: 0 });
      }
    } catch (err) {
      // Stopped on purpose (threshold, caller's abort): whatever the driver threw, the task was
      // interrupted after its last committed batch and resumes from there.
      const error = abort.signal.aborted
        ? new CrmError('CRM_E6006', `loading ${object.name} was stopped`, { location: { object: object.name } })
        : err;
      post({ type: 'failed', taskId: task.id, error: workerError(error) });
    } finally {
      aborts.delete(task.id);
    }
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') aborts.get(message.taskId)?.abort();
    else if (message.type === 'task') void run(message.task);
    else
      void (async () => {
        await writer.close();
        await Promise.all([opened.source.close(), opened.target.close(), opened.state.close()]);
      })()
        // Closing is best effort: every batch is committed by now; the thread ends either way.
        .catch(() => {})
        .finally(() => port.close());
  });
}
