import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore, STATE_SCHEMA_VERSION } from '../../../src/state/index.js';
import { RUN, tempFolder, tempStore, ZERO_LEDGER } from './temp-folder.js';

describe('opening the state store', () => {
  it('creates <folder>/state.db in WAL mode at the current schema version', async () => {
    const { store, folder } = await tempStore();
    await store.close();
    const raw = new Database(join(folder, 'state.db'), { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  });

  it('fails with CRM_E6004 naming the path when the folder cannot be created', async () => {
    const parent = tempFolder();
    writeFileSync(join(parent, 'a-file'), 'not a folder');
    const folder = join(parent, 'a-file', '.crmbridge');
    await expect(openStateStore(folder)).rejects.toMatchObject({ code: 'CRM_E6004', location: { file: join(folder, 'state.db') } });
  });

  it('fails with CRM_E6004 when the file is not a database', async () => {
    const folder = tempFolder();
    writeFileSync(join(folder, 'state.db'), 'this is not sqlite, just some text long enough to have a header'.repeat(20));
    await expect(openStateStore(folder)).rejects.toMatchObject({ code: 'CRM_E6004' });
  });

  it('refuses a state database written by a newer crmbridge', async () => {
    const { store, folder } = await tempStore();
    await store.close();
    const raw = new Database(join(folder, 'state.db'));
    raw.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    raw.close();
    await expect(openStateStore(folder)).rejects.toMatchObject({ code: 'CRM_E6004', message: expect.stringContaining('newer') });
  });

  it('says the database is locked by another process after the busy timeout, as retriable CRM_E6004', async () => {
    const { store, folder } = await tempStore();
    const runId = (await store.createRun(RUN)).id;
    await store.close();

    const other = new Database(join(folder, 'state.db'));
    const waiting = await openStateStore(folder, { busyTimeoutMs: 50 });
    try {
      other.exec('BEGIN IMMEDIATE');
      const commit = waiting.commitBatch(runId, {
        object: 'contacts',
        pass: 1,
        checkpoint: { object: 'contacts', pass: 1, position: '["1"]', done: false, ledger: ZERO_LEDGER },
      });
      await expect(commit).rejects.toMatchObject({
        code: 'CRM_E6004',
        retriable: true,
        message: expect.stringContaining('locked by another process'),
      });
      // Readers are not blocked by the other writer (WAL).
      expect((await waiting.getRun(runId))?.id).toBe(runId);
      other.exec('ROLLBACK');
    } finally {
      other.close();
      await waiting.close();
    }
  });
});
