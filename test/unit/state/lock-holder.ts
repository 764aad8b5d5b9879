/**
 * Child process for project-lock.test.ts: takes the project lock as `migrate`, starts a run, says
 * `held <runId>` on stdout and waits to be killed (or, with `release`, releases and exits).
 */
import { openStateStore } from '../../../src/state/index.js';

const [folder, then] = process.argv.slice(2);
if (!folder) throw new Error('usage: lock-holder <folder> [release|fail]');

const store = await openStateStore(folder);
const lock = await store.acquireLock('migrate');
const run = await store.createRun({ kind: 'migrate', dryRun: false, planHash: 'plan-lock', options: {} });
process.stdout.write(`held ${run.id}\n`);
if (then === 'release' || then === 'fail') {
  await lock.release(then === 'fail' ? 'failed' : 'ok');
  await store.close();
} else {
  setInterval(() => {}, 1000);
}
