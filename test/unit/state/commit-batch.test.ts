import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/index.js';
import type { BatchCommit, JournalRecord, RejectRecord } from '../../../src/state/state-store.js';
import { RUN, tempStore, ZERO_LEDGER } from './temp-folder.js';

const REJECT: RejectRecord = {
  object: 'contacts',
  sourceKey: '["7"]',
  field: 'email',
  rawValue: 'not-an-email',
  reason: 'invalid_email',
  code: 'CRM_R4003',
  message: 'not an email address',
  record: '{"id":"7","email":"not-an-email"}',
  file: 'contacts.csv',
  line: 8,
};

function batch(position: string, read: number, extra: Partial<BatchCommit> = {}): BatchCommit {
  return {
    object: 'contacts',
    pass: 1,
    checkpoint: { object: 'contacts', pass: 1, position, done: false, ledger: { ...ZERO_LEDGER, read, created: read } },
    ...extra,
  };
}

describe('commitBatch', () => {
  it('stores the checkpoint, ledger, id mappings, rejects and journal of a batch', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    const journal: JournalRecord = { object: 'contacts', table: 'contact', targetKey: '["101"]', action: 'insert', after: '{"id":"101"}' };
    await store.commitBatch(
      run.id,
      batch('["6"]', 6, { idMappings: [{ sourceKey: '["6"]', targetKey: '["101"]' }], rejects: [REJECT], journal: [journal] }),
    );

    expect(await store.getCheckpoints(run.id)).toEqual([
      { object: 'contacts', pass: 1, chunk: 0, position: '["6"]', done: false, ledger: { ...ZERO_LEDGER, read: 6, created: 6 } },
    ]);
    expect(await store.getLedger(run.id)).toEqual([{ runId: run.id, object: 'contacts', ...ZERO_LEDGER, read: 6, created: 6 }]);
    expect(await store.lookupIds('contacts', ['["6"]'])).toEqual(new Map([['["6"]', '["101"]']]));
    expect(await store.listRejects(run.id)).toEqual([{ ...REJECT, runId: run.id, seq: expect.any(Number) }]);
    expect(await store.journal(run.id)).toEqual([{ ...journal, runId: run.id, seq: expect.any(Number) }]);
  });

  it('replaces the ledger and checkpoint of the object with the latest batch, per pass', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.commitBatch(run.id, batch('["10"]', 10));
    await store.commitBatch(run.id, batch('["20"]', 20));
    const pass2: BatchCommit = {
      object: 'contacts',
      pass: 2,
      checkpoint: {
        object: 'contacts',
        pass: 2,
        position: '["5"]',
        done: true,
        ledger: { ...ZERO_LEDGER, read: 20, created: 20, updated: 5 },
      },
    };
    await store.commitBatch(run.id, pass2);

    const checkpoints = await store.getCheckpoints(run.id);
    expect(checkpoints.map((c) => [c.pass, c.position, c.done])).toEqual([
      [1, '["20"]', false],
      [2, '["5"]', true],
    ]);
    expect(await store.getLedger(run.id)).toEqual([
      { runId: run.id, object: 'contacts', ...ZERO_LEDGER, read: 20, created: 20, updated: 5 },
    ]);
  });

  it('keeps an id mapping stable when a replayed batch maps it again, and follows a re-created target', async () => {
    const { store } = await tempStore();
    const first = await store.createRun(RUN);
    const replay = await store.createRun(RUN);
    await store.commitBatch(
      first.id,
      batch('["2"]', 2, {
        idMappings: [
          { sourceKey: '["1"]', targetKey: '["a"]' },
          { sourceKey: '["2"]', targetKey: '["b"]' },
        ],
      }),
    );
    await store.commitBatch(
      replay.id,
      batch('["2"]', 2, {
        idMappings: [
          { sourceKey: '["1"]', targetKey: '["a"]' },
          { sourceKey: '["2"]', targetKey: '["c"]' },
        ],
      }),
    );
    expect(await store.lookupIds('contacts', ['["1"]', '["2"]', '["3"]'])).toEqual(
      new Map([
        ['["1"]', '["a"]'],
        ['["2"]', '["c"]'],
      ]),
    );
    // Another object's keys are a separate namespace.
    expect((await store.lookupIds('accounts', ['["1"]'])).size).toBe(0);
  });

  it('finds mappings that keep the source key both ways, stored without a second copy of the key', async () => {
    const { store, folder } = await tempStore();
    const run = await store.createRun(RUN);
    const mappings = (pairs: [string, string][]) => pairs.map(([sourceKey, targetKey]) => ({ sourceKey, targetKey }));
    await store.commitBatch(
      run.id,
      batch('["3"]', 3, {
        idMappings: mappings([
          ['["1"]', '["1"]'],
          ['["2"]', '["x"]'],
          ['["3"]', '["3"]'],
        ]),
      }),
    );
    expect(await store.lookupIds('contacts', ['["1"]', '["2"]', '["3"]', '["4"]'])).toEqual(
      new Map([
        ['["1"]', '["1"]'],
        ['["2"]', '["x"]'],
        ['["3"]', '["3"]'],
      ]),
    );
    // By target key: the kept keys through the primary key, the remapped one through its index;
    // a source key whose target is another key is not a target key itself.
    expect(await store.lookupSourceKeys('contacts', ['["1"]', '["x"]', '["2"]', '["3"]'])).toEqual(
      new Map([
        ['["1"]', '["1"]'],
        ['["x"]', '["2"]'],
        ['["3"]', '["3"]'],
      ]),
    );
    // Remapped away from the source key and back (target rows re-created).
    await store.commitBatch(
      run.id,
      batch('["3"]', 3, {
        idMappings: mappings([
          ['["1"]', '["y"]'],
          ['["2"]', '["2"]'],
        ]),
      }),
    );
    expect(await store.lookupIds('contacts', ['["1"]', '["2"]'])).toEqual(
      new Map([
        ['["1"]', '["y"]'],
        ['["2"]', '["2"]'],
      ]),
    );
    expect(await store.lookupSourceKeys('contacts', ['["y"]', '["x"]', '["2"]', '["1"]'])).toEqual(
      new Map([
        ['["y"]', '["1"]'],
        ['["2"]', '["2"]'],
      ]),
    );
    await store.close();
    const raw = new Database(join(folder, 'state.db'), { readonly: true });
    try {
      expect(raw.prepare('SELECT source_key, target_key FROM id_map ORDER BY source_key').raw().all()).toEqual([
        ['["1"]', '["y"]'],
        ['["2"]', null],
        ['["3"]', null],
      ]);
    } finally {
      raw.close();
    }
  });

  it('stores nothing of a batch that fails part-way (a reject violating a constraint)', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.commitBatch(run.id, batch('["1"]', 1, { idMappings: [{ sourceKey: '["1"]', targetKey: '["t1"]' }] }));

    const failing = batch('["3"]', 3, {
      idMappings: [{ sourceKey: '["2"]', targetKey: '["t2"]' }],
      rejects: [REJECT, { ...REJECT, sourceKey: '["3"]', reason: '' }],
      journal: [{ object: 'contacts', table: 'contact', targetKey: '["t2"]', action: 'insert' }],
    });
    await expect(store.commitBatch(run.id, failing)).rejects.toMatchObject({
      code: 'CRM_E6004',
      message: expect.stringContaining('CHECK'),
    });

    expect((await store.getCheckpoints(run.id))[0]?.position).toBe('["1"]');
    expect((await store.getLedger(run.id))[0]?.read).toBe(1);
    expect(await store.lookupIds('contacts', ['["1"]', '["2"]'])).toEqual(new Map([['["1"]', '["t1"]']]));
    expect(await store.listRejects(run.id)).toEqual([]);
    expect(await store.journal(run.id)).toEqual([]);
  });

  it('refuses a batch for an unknown run or with a checkpoint of another object', async () => {
    const { store } = await tempStore();
    await expect(store.commitBatch('no-such-run', batch('["1"]', 1))).rejects.toMatchObject({ code: 'CRM_E6004' });
    const run = await store.createRun(RUN);
    await expect(store.commitBatch(run.id, { ...batch('["1"]', 1), object: 'accounts' })).rejects.toMatchObject({ code: 'CRM_X9001' });
    expect(await store.getCheckpoints(run.id)).toEqual([]);
  });

  it('keeps runs, checkpoints and the ledger across closing and reopening', async () => {
    const { store, folder } = await tempStore();
    const run = await store.createRun(RUN);
    await store.commitBatch(run.id, batch('["9"]', 9, { idMappings: [{ sourceKey: '["9"]', targetKey: '["x"]' }] }));
    await store.close();

    const reopened = await openStateStore(folder);
    try {
      expect((await reopened.getRun(run.id))?.status).toBe('running');
      expect((await reopened.getCheckpoints(run.id))[0]?.position).toBe('["9"]');
      expect((await reopened.getLedger(run.id))[0]?.read).toBe(9);
      expect((await reopened.lookupIds('contacts', ['["9"]'])).get('["9"]')).toBe('["x"]');
    } finally {
      await reopened.close();
    }
  });

  it('fails with CRM_E6004 once the store is closed', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.close();
    await expect(store.commitBatch(run.id, batch('["1"]', 1))).rejects.toMatchObject({ code: 'CRM_E6004' });
  });
});
