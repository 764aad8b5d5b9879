import { Worker } from 'node:worker_threads';
import { CrmError } from '../core/errors/index.js';
import { errorFromWorker, type WorkerError } from '../engine/migrate/chunk-task.js';
import type { VerifyResult, VerifyScope } from '../engine/verify/verify.js';
import { workerScript } from './migrate-workers.js';

/** What the verify worker is started with: plain data (the project file's path, not its connections). */
export interface VerifyWorkerData {
  readonly project: string;
  /** false (`--no-custom`): refuse a mapping that runs custom module code. */
  readonly custom: boolean;
  readonly objects?: readonly string[];
  readonly scope?: VerifyScope;
}

export type VerifyWorkerReply = { readonly result: VerifyResult } | { readonly error: WorkerError };

/**
 * Old-generation heap of the verify worker (MiB). Verify's live data is bounded (one key range of
 * expected rows, bounded in bytes, and the batches being mapped: it runs within 128 MiB at 100k
 * contacts); an uncapped heap in the main thread let garbage grow to 0.4–1 GiB before V8
 * collected it. The cap makes V8 collect instead.
 */
const VERIFY_HEAP_MB = 256;

/**
 * `crmbridge verify` in a worker thread with a capped heap, like migrate's loading workers, so its
 * peak memory stays bounded whatever the table sizes. The worker opens its own connections.
 */
export function verifyInWorker(data: VerifyWorkerData): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    let replied = false;
    const worker = new Worker(workerScript('verify-worker'), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: VERIFY_HEAP_MB },
    });
    worker.once('message', (reply: VerifyWorkerReply) => {
      replied = true;
      if ('error' in reply) reject(errorFromWorker(reply.error));
      else resolve(reply.result);
    });
    worker.once('error', (err: Error & { code?: string }) => {
      replied = true;
      reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new CrmError('CRM_E6007', `verify ran out of its ${VERIFY_HEAP_MB} MiB heap`) : err);
    });
    worker.once('exit', (code) => {
      if (!replied) reject(new Error(`the verify worker ended (exit code ${code}) without a result`));
    });
  });
}
