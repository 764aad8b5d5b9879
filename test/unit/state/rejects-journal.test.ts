import { beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord, RejectRecord, StateStore } from '../../../src/state/state-store.js';
import { RUN, tempStore, ZERO_LEDGER } from './temp-folder.js';

async function commit(store: StateStore, runId: string, object: string, rejects: RejectRecord[], journal: JournalRecord[] = []) {
  await store.commitBatch(runId, {
    object,
    pass: 1,
    checkpoint: { object, pass: 1, position: '["0"]', done: false, ledger: ZERO_LEDGER },
    rejects,
    journal,
  });
}

const reject = (object: string, n: number, reason: string): RejectRecord => ({
  object,
  sourceKey: `["${n}"]`,
  reason,
  code: 'CRM_R4003',
  message: `row ${n}`,
});

describe('rejects', () => {
  let store: StateStore;
  let runId: string;

  beforeEach(async () => {
    ({ store } = await tempStore());
    runId = (await store.createRun(RUN)).id;
    const otherRun = (await store.createRun(RUN)).id;
    await commit(store, runId, 'contacts', [
      reject('contacts', 1, 'invalid_email'),
      reject('contacts', 2, 'value_too_long'),
      reject('contacts', 3, 'invalid_email'),
    ]);
    await commit(store, runId, 'deals', [reject('deals', 4, 'missing_parent'), reject('deals', 5, 'invalid_email')]);
    await commit(store, otherRun, 'contacts', [reject('contacts', 6, 'invalid_email')]);
  });

  it('lists a run’s rejects in order of writing, filtered by object and reason', async () => {
    const keys = async (options?: Parameters<StateStore['listRejects']>[1]) =>
      (await store.listRejects(runId, options)).map((r) => r.sourceKey);
    expect(await keys()).toEqual(['["1"]', '["2"]', '["3"]', '["4"]', '["5"]']);
    expect(await keys({ object: 'contacts' })).toEqual(['["1"]', '["2"]', '["3"]']);
    expect(await keys({ reason: 'invalid_email' })).toEqual(['["1"]', '["3"]', '["5"]']);
    expect(await keys({ object: 'deals', reason: 'invalid_email' })).toEqual(['["5"]']);
    expect(await keys({ object: 'nothing' })).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const page = async (offset: number) => (await store.listRejects(runId, { limit: 2, offset })).map((r) => r.sourceKey);
    expect(await page(0)).toEqual(['["1"]', '["2"]']);
    expect(await page(2)).toEqual(['["3"]', '["4"]']);
    expect(await page(4)).toEqual(['["5"]']);
    expect(await page(6)).toEqual([]);
    expect((await store.listRejects(runId, { reason: 'invalid_email', limit: 1, offset: 1 })).map((r) => r.sourceKey)).toEqual(['["3"]']);
  });

  it('counts rejects by object and reason', async () => {
    expect(await store.countRejects(runId)).toEqual([
      { object: 'contacts', reason: 'invalid_email', count: 2 },
      { object: 'contacts', reason: 'value_too_long', count: 1 },
      { object: 'deals', reason: 'invalid_email', count: 1 },
      { object: 'deals', reason: 'missing_parent', count: 1 },
    ]);
  });

  it('redacts secrets in the message and raw value', async () => {
    await commit(store, runId, 'users', [
      { ...reject('users', 9, 'value_too_long'), rawValue: 'token=abcd1234', message: 'cannot reach https://u:pa55word@crm.example' },
    ]);
    const [stored] = await store.listRejects(runId, { object: 'users' });
    expect(stored).toMatchObject({ rawValue: 'token=***', message: 'cannot reach https://u:***@crm.example' });
  });
});

describe('journal', () => {
  it('pages in reverse order of writing by default, and forward on request', async () => {
    const { store } = await tempStore();
    const runId = (await store.createRun(RUN)).id;
    const entry = (object: string, n: number): JournalRecord => ({
      object,
      table: object,
      targetKey: `["${n}"]`,
      action: n % 2 === 0 ? 'update' : 'insert',
      ...(n % 2 === 0 ? { prior: `{"v":"${n}-before"}` } : {}),
      after: `{"v":"${n}"}`,
    });
    await commit(store, runId, 'accounts', [], [entry('accounts', 1), entry('accounts', 2)]);
    await commit(store, runId, 'contacts', [], [entry('contacts', 3), entry('contacts', 4), entry('contacts', 5)]);

    const reversed: string[] = [];
    let afterSeq: number | undefined;
    for (;;) {
      const page = await store.journal(runId, { limit: 2, ...(afterSeq === undefined ? {} : { afterSeq }) });
      if (page.length === 0) break;
      reversed.push(...page.map((j) => j.targetKey));
      afterSeq = page[page.length - 1]?.seq;
    }
    expect(reversed).toEqual(['["5"]', '["4"]', '["3"]', '["2"]', '["1"]']);

    const forward = await store.journal(runId, { reverse: false });
    expect(forward.map((j) => j.targetKey)).toEqual(['["1"]', '["2"]', '["3"]', '["4"]', '["5"]']);
    expect(forward[1]).toMatchObject({
      runId,
      object: 'accounts',
      table: 'accounts',
      action: 'update',
      prior: '{"v":"2-before"}',
      after: '{"v":"2"}',
    });
    expect(forward[0]?.prior).toBeUndefined();

    const contacts = await store.journal(runId, { object: 'contacts', afterSeq: forward[4]?.seq });
    expect(contacts.map((j) => j.targetKey)).toEqual(['["4"]', '["3"]']);
  });

  it('keeps order and paging when the created rows of a batch are stored together', async () => {
    const { store } = await tempStore();
    const runId = (await store.createRun(RUN)).id;
    const created = (n: number): JournalRecord => ({
      object: 'people',
      table: 'people',
      targetKey: `["${n}"]`,
      action: 'insert',
      after: `md5:${n}`,
    });
    const updated: JournalRecord = {
      object: 'people',
      table: 'people',
      targetKey: '["1"]',
      action: 'update',
      prior: '{"v":"a"}',
      after: '{"v":"b"}',
    };
    await commit(store, runId, 'people', [], [created(1), created(2), created(3), updated, created(4), created(5)]);
    await commit(store, runId, 'people', [], [created(6)]);

    const reversed: string[] = [];
    let afterSeq: number | undefined;
    for (;;) {
      const page = await store.journal(runId, { limit: 1, ...(afterSeq === undefined ? {} : { afterSeq }) });
      if (page.length === 0) break;
      reversed.push(...page.map((j) => `${j.action}${j.targetKey}`));
      afterSeq = page[page.length - 1]?.seq;
    }
    expect(reversed).toEqual(['insert["6"]', 'insert["5"]', 'insert["4"]', 'update["1"]', 'insert["3"]', 'insert["2"]', 'insert["1"]']);
    const forward = await store.journal(runId, { reverse: false });
    expect(forward.map((j) => j.targetKey)).toEqual(['["1"]', '["2"]', '["3"]', '["1"]', '["4"]', '["5"]', '["6"]']);
    expect(forward[1]).toEqual({
      runId,
      seq: forward[0]?.seq,
      object: 'people',
      table: 'people',
      targetKey: '["2"]',
      action: 'insert',
      after: 'md5:2',
    });
    expect(forward[3]).toMatchObject({ action: 'update', prior: '{"v":"a"}', after: '{"v":"b"}' });
  });
});
