import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/index.js';
import { tempFolder } from './temp-folder.js';

const WRITER = resolve('test/unit/state/crash-writer.ts');

/**
 * Runs the writer under tsx's loader in a plain node child (not the tsx launcher, which would add a
 * process in between) and resolves with the signal that ended it.
 */
function runWriter(folder: string, runId: string): Promise<NodeJS.Signals | null> {
  return new Promise((done, fail) => {
    const child = fork(WRITER, [folder, runId], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => (signal === null && code !== 0 ? fail(new Error(`writer exited with ${code}`)) : done(signal)));
  });
}

describe('crash safety', () => {
  it('keeps every committed batch when the process is killed with SIGKILL right after commitBatch returns', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    const signal = await runWriter(folder, 'crash-run');
    expect(signal).toBe('SIGKILL');
    // The batches were never checkpointed into state.db: reopening must recover them from the WAL.
    expect(statSync(join(folder, 'state.db-wal')).size).toBeGreaterThan(0);

    const store = await openStateStore(folder);
    try {
      expect(await store.getCheckpoints('crash-run')).toEqual([
        {
          object: 'contacts',
          pass: 1,
          chunk: 0,
          position: '["200"]',
          done: false,
          ledger: { read: 200, created: 200, updated: 0, unchanged: 0, rejected: 0, filtered: 0 },
        },
      ]);
      expect((await store.getLedger('crash-run'))[0]?.created).toBe(200);
      const keys = Array.from({ length: 200 }, (_, i) => `["${i + 1}"]`);
      expect((await store.lookupIds('contacts', keys)).size).toBe(200);
      expect((await store.getRun('crash-run'))?.status).toBe('running');
    } finally {
      await store.close();
    }
  });
});
