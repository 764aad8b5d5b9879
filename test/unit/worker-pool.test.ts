import { describe, expect, it } from 'vitest';
import type { ChunkTask, ChunkWorkerSetup } from '../../src/engine/migrate/chunk-task.js';
import { WorkerPool } from '../../src/engine/migrate/worker-pool.js';
import type { ObjectPlan } from '../../src/mapping/plan/plan-types.js';
import { table, textColumn } from '../helpers/schema-builders.js';

/** A worker thread from inline code (no file): it answers the pool's task messages as `body` says. */
const workerScript = (body: string) =>
  new URL(
    `data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => { if (m.type === 'task') { ${body} } else if (m.type === 'close') parentPort.close(); });`)}`,
  );

const SETUP: ChunkWorkerSetup = { runId: 'r1', batchSize: 10, transformContext: {}, tableColumns: [] };
const ZERO = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 };
const task = (name: string): Omit<ChunkTask, 'id'> => ({
  object: { name } as ObjectPlan,
  targetTable: table(name, [textColumn('id', false)]),
  checkpoint: { object: name, pass: 1, position: '', done: false, ledger: ZERO },
  fresh: true,
});

describe('worker pool', () => {
  it('runs tasks on its workers, relays batch ledgers, and brings a user error back with its code', async () => {
    const pool = new WorkerPool(
      {
        script: workerScript(`
          const ledger = { read: 3, created: 3, updated: 0, unchanged: 0, rejected: 0, filtered: 0 };
          if (m.task.object.name === 'bad') parentPort.postMessage({ type: 'failed', taskId: m.task.id, error: { code: 'CRM_S3001', message: 'no table', location: { table: 'bad' } } });
          else { parentPort.postMessage({ type: 'batch', taskId: m.task.id, ledger }); parentPort.postMessage({ type: 'done', taskId: m.task.id, ledger, unresolved: 0 }); }`),
        data: null,
      },
      SETUP,
      2,
      64,
    );
    try {
      const batches: number[] = [];
      const outcomes = await Promise.all(['a', 'b', 'c'].map((n) => pool.run(task(n), (l) => batches.push(l.read))));
      expect(outcomes.map((o) => o.ledger.created)).toEqual([3, 3, 3]);
      expect(batches).toEqual([3, 3, 3]);
      await expect(pool.run(task('bad'))).rejects.toMatchObject({ code: 'CRM_S3001', location: { table: 'bad' } });
    } finally {
      await pool.close();
    }
  });

  it('reports a worker that outgrows its heap as CRM_E6007, and goes on with a new worker', async () => {
    const pool = new WorkerPool(
      {
        script: workerScript(`
          if (m.task.object.name === 'huge') { const keep = []; for (;;) keep.push(new Array(100000).fill(keep.length)); }
          parentPort.postMessage({ type: 'done', taskId: m.task.id, ledger: { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0, filtered: 0 }, unresolved: 0 });`),
        data: null,
      },
      SETUP,
      1,
      64,
    );
    try {
      await expect(pool.run(task('huge'))).rejects.toMatchObject({ code: 'CRM_E6007' });
      expect((await pool.run(task('small'))).ledger.created).toBe(1);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
