import { parentPort, workerData } from 'node:worker_threads';
import { workerError } from '../engine/migrate/chunk-task.js';
import { verify } from '../engine/verify/verify.js';
import { openProject } from './project-context.js';
import type { VerifyWorkerData, VerifyWorkerReply } from './verify-in-worker.js';

/**
 * Entry script of the verify worker thread (see verify-in-worker.ts): opens the project the way
 * the CLI does, verifies, and posts the result (plain data) or the error back.
 */
const data = workerData as VerifyWorkerData;
if (!parentPort) throw new Error('verify-worker.js runs as a worker thread only');
const port = parentPort;
let ctx: Awaited<ReturnType<typeof openProject>> | undefined;
try {
  ctx = await openProject(data.project, { custom: data.custom });
  const result = await verify({
    plan: ctx.plan,
    source: await ctx.source(),
    target: await ctx.target(),
    state: ctx.state,
    transformContext: ctx.transformContext,
    ...(data.objects ? { objects: data.objects } : {}),
    ...(data.scope ? { scope: data.scope } : {}),
  });
  port.postMessage({ result } satisfies VerifyWorkerReply);
} catch (err) {
  // A user error (a missing project file, an unreachable database) keeps its code across the thread.
  port.postMessage({ error: workerError(err) } satisfies VerifyWorkerReply);
} finally {
  await ctx?.close();
}
