import { describe, expect, it } from 'vitest';
import type { IdMapping } from '../../../src/state/state-store.js';
import { RUN, tempStore, ZERO_LEDGER } from './temp-folder.js';

const BATCH = 5_000;
const key = (n: number) => `["${n}"]`;

describe('lookupIds and rejectedKeys', () => {
  it('returns exactly the stored mappings for 100k keys looked up in batches', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    // Only even source keys are mapped; odd ones must come back absent.
    const stored = 100_000;
    for (let start = 0; start < stored; start += BATCH) {
      const idMappings: IdMapping[] = [];
      for (let n = start; n < start + BATCH; n++) idMappings.push({ sourceKey: key(n * 2), targetKey: `t-${n * 2}` });
      const ledger = { ...ZERO_LEDGER, read: start + BATCH, created: start + BATCH };
      await store.commitBatch(run.id, {
        object: 'contacts',
        pass: 1,
        checkpoint: { object: 'contacts', pass: 1, position: key(start + BATCH), done: false, ledger },
        idMappings,
      });
    }

    let found = 0;
    for (let start = 0; start < stored * 2; start += BATCH) {
      const keys = Array.from({ length: BATCH }, (_, i) => key(start + i));
      const result = await store.lookupIds('contacts', keys);
      for (const [source, target] of result) {
        expect(target).toBe(`t-${JSON.parse(source)[0]}`);
      }
      expect(result.size).toBe(BATCH / 2);
      found += result.size;
    }
    expect(found).toBe(stored);
    expect(await store.lookupIds('contacts', [])).toEqual(new Map());
  });

  it('looks up both ways, with repeated, unknown and unusual keys; of several source keys of one target, the greatest', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    const odd = ['["a\\"b"]', '["é 漢字 😀"]', '["tab\\tnew\\nline"]', '["\\u0000\\u001f"]', '["1","2"]', '[null]', '["back\\\\slash"]'];
    const idMappings: IdMapping[] = [
      ...odd.map((k, i) => ({ sourceKey: k, targetKey: `["t${i}", ${JSON.stringify(k)}]` })),
      { sourceKey: key(1), targetKey: 'shared' },
      { sourceKey: key(3), targetKey: 'shared' },
      { sourceKey: key(2), targetKey: 'shared' },
    ];
    await store.commitBatch(run.id, {
      object: 'contacts',
      pass: 1,
      checkpoint: { object: 'contacts', pass: 1, position: key(3), done: false, ledger: ZERO_LEDGER },
      idMappings,
    });

    const forward = await store.lookupIds('contacts', [...odd, key(9), odd[0]!, key(2)]);
    expect(forward).toEqual(
      new Map([...idMappings.slice(0, odd.length).map((m) => [m.sourceKey, m.targetKey] as const), [key(2), 'shared']]),
    );
    const back = await store.lookupSourceKeys('contacts', [
      ...idMappings.slice(0, odd.length).map((m) => m.targetKey),
      'shared',
      'none',
      'shared',
    ]);
    expect(back).toEqual(new Map([...idMappings.slice(0, odd.length).map((m) => [m.targetKey, m.sourceKey] as const), ['shared', key(3)]]));
    expect((await store.lookupSourceKeys('accounts', ['shared'])).size).toBe(0);
  });

  it('reads back sync row hashes of the given scope and object only', async () => {
    const { store } = await tempStore();
    await store.putSyncRowHashes('snapshot', 'contacts', [
      { key: key(1), hash: 'h1' },
      { key: key(2), hash: 'h2' },
      { key: '["é\\"x"]', hash: 'h3' },
    ]);
    await store.putSyncRowHashes('pending', 'contacts', [{ key: key(1), hash: 'p1' }]);
    await store.putSyncRowHashes('snapshot', 'contacts', [{ key: key(2), hash: null }]);
    expect(await store.syncRowHashes('snapshot', 'contacts', ['["é\\"x"]', key(2), key(1), key(1)])).toEqual(
      new Map([
        [key(1), 'h1'],
        ['["é\\"x"]', 'h3'],
      ]),
    );
    expect(await store.syncRowHashes('pending', 'contacts', [key(1), key(2)])).toEqual(new Map([[key(1), 'p1']]));
    expect(await store.syncRowHashes('snapshot', 'accounts', [key(1)])).toEqual(new Map());
    expect(await store.syncRowHashes('snapshot', 'contacts', [])).toEqual(new Map());
  });

  it('tells which keys were rejected in the given run and object only', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    const other = await store.createRun(RUN);
    const reject = (object: string, sourceKey: string) => ({
      object,
      sourceKey,
      reason: 'invalid_email',
      code: 'CRM_R4003',
      message: 'bad',
    });
    const commit = (runId: string, object: string, keys: string[]) =>
      store.commitBatch(runId, {
        object,
        pass: 1,
        checkpoint: { object, pass: 1, position: '["9"]', done: false, ledger: ZERO_LEDGER },
        rejects: keys.map((k) => reject(object, k)),
      });
    await commit(run.id, 'accounts', [key(1), key(3), key(3)]);
    await commit(run.id, 'contacts', [key(2)]);
    await commit(other.id, 'accounts', [key(2)]);

    expect(await store.rejectedKeys(run.id, 'accounts', [key(1), key(2), key(3), key(4)])).toEqual(new Set([key(1), key(3)]));
    expect(await store.rejectedKeys(other.id, 'accounts', [key(1), key(2)])).toEqual(new Set([key(2)]));
    expect(await store.rejectedKeys(run.id, 'accounts', [])).toEqual(new Set());
  });

  it('does not count a row that loaded with a reference pass 2 left empty as rejected', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.commitBatch(run.id, {
      object: 'accounts',
      pass: 2,
      checkpoint: { object: 'accounts', pass: 2, position: '["9"]', done: false, ledger: ZERO_LEDGER },
      rejects: [
        {
          object: 'accounts',
          sourceKey: key(5),
          field: 'parent_id',
          reason: 'missing_parent',
          code: 'CRM_R4009',
          message: 'left empty',
          rowLoaded: true,
        },
      ],
    });
    expect(await store.rejectedKeys(run.id, 'accounts', [key(5)])).toEqual(new Set());
    const [stored] = await store.listRejects(run.id);
    expect(stored).toMatchObject({ sourceKey: key(5), reason: 'missing_parent', rowLoaded: true });
  });
});
