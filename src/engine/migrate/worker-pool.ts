import { Worker } from 'node:worker_threads';
import { CrmError } from '../../core/errors/index.js';
import type { LedgerCounts } from '../../state/state-store.js';
import { type ChunkTask, type ChunkWorkerSetup, errorFromWorker, type FromWorker, type ToWorker } from './chunk-task.js';

/**
 * How to start a migrate worker thread: the entry script (it calls `serveChunks` with openers for
 * its own connections) and the data it needs to open them — plain data, and never a resolved
 * secret: URLs keep their `${env:…}` references, which the worker resolves from the same
 * environment.
 */
export interface WorkerSpawn {
  readonly script: URL;
  readonly data: unknown;
}

/** What the entry script finds in `workerData`. */
export interface WorkerData {
  readonly setup: ChunkWorkerSetup;
  readonly open: unknown;
}

/** A finished task: the range's ledger, and (pass 2) the references left empty. */
export interface TaskOutcome {
  readonly ledger: LedgerCounts;
  readonly unresolved: number;
}

/**
 * V8's young generation of each worker, below its default (3 × 16 MiB semi-spaces): most of a
 * worker's heap beyond its live batches. On the 100k benchmark (batches of 2,000 rows, two
 * workers) peak RSS was 390 MiB at 32, 308–310 at 16 and 274–279 at 12, for ~6 % more CPU in
 * scavenges at each step.
 */
const YOUNG_GENERATION_MB = 12;
const CLOSE_GRACE_MS = 10_000;

interface Running {
  readonly task: ChunkTask;
  readonly onBatch: (ledger: LedgerCounts) => void;
  readonly resolve: (outcome: TaskOutcome) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  running?: Running;
}

/**
 * A fixed number of worker threads, started on first use, each running one task at a time;
 * tasks wait in order for a free worker. Each worker's heap is capped (`heapMb`), which bounds
 * the memory of a migration whatever the table sizes: batches are bounded in rows and bytes.
 */
export class WorkerPool {
  readonly size: number;
  readonly #spawn: WorkerSpawn;
  readonly #setup: ChunkWorkerSetup;
  readonly #heapMb: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Running[] = [];
  #nextId = 1;

  constructor(spawn: WorkerSpawn, setup: ChunkWorkerSetup, size: number, heapMb: number) {
    this.#spawn = spawn;
    this.#setup = setup;
    this.size = size;
    this.#heapMb = heapMb;
  }

  /** Runs one task; `onBatch` gets the range's ledger after each committed batch. */
  run(task: Omit<ChunkTask, 'id'>, onBatch: (ledger: LedgerCounts) => void = () => {}): Promise<TaskOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task: { ...task, id: this.#nextId++ }, onBatch, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops the running and waiting tasks of these objects (all when omitted) after their current batch. */
  abort(objects?: ReadonlySet<string>): void {
    const hit = (r: Running) => !objects || objects.has(r.task.object.name);
    for (const r of this.#queue.filter(hit)) r.reject(new CrmError('CRM_E6006', `loading ${r.task.object.name} was stopped`));
    this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((r) => !hit(r)));
    for (const slot of this.#slots) {
      if (slot.running && hit(slot.running)) post(slot.worker, { type: 'abort', taskId: slot.running.task.id });
    }
  }

  /**
   * Ends every worker once its connections are closed; one that has not ended after
   * `CLOSE_GRACE_MS` is terminated (all its batches were committed before it was idle).
   */
  async close(): Promise<void> {
    await Promise.all(
      this.#slots.map((slot) => {
        const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
        const timer = setTimeout(() => void slot.worker.terminate(), CLOSE_GRACE_MS);
        post(slot.worker, { type: 'close' });
        return exited.finally(() => clearTimeout(timer));
      }),
    );
    this.#slots.length = 0;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.running);
      if (!slot && this.#slots.length < this.size) slot = this.#start();
      if (!slot) return;
      const next = this.#queue.shift()!;
      slot.running = next;
      post(slot.worker, { type: 'task', task: next.task });
    }
  }

  #start(): Slot {
    const worker = new Worker(this.#spawn.script, {
      workerData: { setup: this.#setup, open: this.#spawn.data } satisfies WorkerData,
      resourceLimits: { maxOldGenerationSizeMb: this.#heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker };
    this.#slots.push(slot);
    worker.on('message', (message: FromWorker) => {
      const running = slot.running;
      if (message.type === 'broken') {
        this.#fail(slot, errorFromWorker(message.error));
        return;
      }
      if (!running || running.task.id !== message.taskId) return;
      if (message.type === 'batch') running.onBatch(message.ledger);
      else {
        slot.running = undefined;
        if (message.type === 'done') running.resolve({ ledger: message.ledger, unresolved: message.unresolved });
        else running.reject(errorFromWorker(message.error));
        this.#dispatch();
      }
    });
    worker.on('error', (err) => this.#fail(slot, workerCrash(err, this.#heapMb)));
    worker.on('exit', (code) => {
      if (slot.running)
        this.#fail(slot, new Error(`a migrate worker exited (code ${code}) while loading ${slot.running.task.object.name}`));
    });
    return slot;
  }

  /** A worker that broke takes its running task with it; the queue moves on to new workers. */
  #fail(slot: Slot, err: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    const running = slot.running;
    slot.running = undefined;
    void slot.worker.terminate();
    running?.reject(err);
    if (!running) for (const r of this.#queue.splice(0)) r.reject(err);
    else this.#dispatch();
  }
}

function post(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

function workerCrash(err: Error, heapMb: number): Error {
  if ((err as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY') return err;
  // A --max-old-space-size given to node (command line or NODE_OPTIONS) is a process-wide V8
  // flag: it overrides every worker's own limit.
  const flag = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].find((a) => a.startsWith('--max-old-space-size'));
  const limit = flag ? `the ${flag} given to node (it overrides options.workerMemoryMb)` : `its ${heapMb} MiB heap`;
  return new CrmError('CRM_E6007', `a migrate worker needed more than ${limit}`);
}
