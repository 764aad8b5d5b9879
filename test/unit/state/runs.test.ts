import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../../src/core/errors/index.js';
import { newRunId } from '../../../src/state/index.js';
import { RUN, tempStore } from './temp-folder.js';

describe('runs', () => {
  it('creates, finishes and reads back a run', async () => {
    const { store } = await tempStore();
    const run = await store.createRun({ ...RUN, dryRun: true, options: { batchSize: 500, objects: ['contacts'] } });
    expect(run.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(run.status).toBe('running');
    expect(run.finishedAt).toBeUndefined();
    expect(await store.getRun(run.id)).toEqual(run);

    await store.finishRun(run.id, 'completed', { read: 10, rejected: 1 });
    const finished = await store.getRun(run.id);
    expect(finished).toMatchObject({ id: run.id, status: 'completed', dryRun: true, summary: { read: 10, rejected: 1 } });
    expect(finished?.options).toEqual({ batchSize: 500, objects: ['contacts'] });
    expect(Date.parse(finished?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
  });

  it('keeps a given id and the parent run', async () => {
    const { store } = await tempStore();
    const parent = await store.createRun({ ...RUN, status: 'failed' });
    const child = await store.createRun({ ...RUN, id: 'resume-1', kind: 'repair', parentRunId: parent.id });
    expect(child).toMatchObject({ id: 'resume-1', kind: 'repair', parentRunId: parent.id });
    expect((await store.getRun(parent.id))?.status).toBe('failed');
  });

  it('lists runs newest first, with a limit', async () => {
    const { store } = await tempStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.createRun({ ...RUN, id: `run-${i}` })).id);
    expect((await store.listRuns()).map((r) => r.id)).toEqual([...ids].reverse());
    expect((await store.listRuns(2)).map((r) => r.id)).toEqual(['run-4', 'run-3']);
  });

  it('returns undefined for an unknown run and refuses to finish one', async () => {
    const { store } = await tempStore();
    expect(await store.getRun('nope')).toBeUndefined();
    await expect(store.finishRun('nope', 'completed')).rejects.toMatchObject({ code: 'CRM_E6003' });
  });

  it('refuses a duplicate run id with CRM_E6004', async () => {
    const { store } = await tempStore();
    await store.createRun({ ...RUN, id: 'same' });
    await expect(store.createRun({ ...RUN, id: 'same' })).rejects.toMatchObject({ code: 'CRM_E6004' });
  });

  it('never stores a password given in the options or the summary', async () => {
    const { store, folder } = await tempStore();
    registerSecret('registered-Secret-42');
    const run = await store.createRun({
      ...RUN,
      options: { source: 'postgres://admin:s3cr3t-pw@db.local/crm', target: { password: 'hunter2-pw' }, note: 'registered-Secret-42' },
    });
    await store.finishRun(run.id, 'completed', { error: 'login failed for mysql://root:other-pw@h/db' });
    const stored = await store.getRun(run.id);
    expect(stored?.options).toEqual({ source: 'postgres://admin:***@db.local/crm', target: { password: '***' }, note: '***' });
    expect(stored?.summary).toEqual({ error: 'login failed for mysql://root:***@h/db' });

    await store.close();
    const raw = new Database(join(folder, 'state.db'), { readonly: true });
    const text = JSON.stringify(raw.prepare('SELECT options, summary FROM runs').all());
    raw.close();
    for (const secret of ['s3cr3t-pw', 'hunter2-pw', 'registered-Secret-42', 'other-pw']) expect(text).not.toContain(secret);
  });

  it('makes run ids that sort by start time', () => {
    const earlier = newRunId(new Date('2026-11-24T14:24:00.999Z'));
    const later = newRunId(new Date('2026-11-24T14:24:01.000Z'));
    expect(earlier.startsWith('20261124-142400-')).toBe(true);
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });
});
