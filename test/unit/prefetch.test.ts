import { expect, it } from 'vitest';
import { prefetch } from '../../src/engine/migrate/prefetch.js';

it('reads the next item while the current one is processed, at most one ahead', async () => {
  const log: string[] = [];
  async function* source() {
    for (let i = 0; i < 3; i++) {
      log.push(`read ${i}`);
      yield i;
    }
  }
  for await (const i of prefetch(source())) {
    log.push(`use ${i}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(log).toEqual(['read 0', 'read 1', 'use 0', 'read 2', 'use 1', 'use 2']);
});

it('passes a read error to the consumer and closes the source when the consumer stops', async () => {
  let closed = false;
  async function* failing() {
    try {
      yield 1;
      throw new Error('connection lost');
    } finally {
      closed = true;
    }
  }
  const seen: number[] = [];
  await expect(
    (async () => {
      for await (const i of prefetch(failing())) seen.push(i);
    })(),
  ).rejects.toThrow('connection lost');
  expect(seen).toEqual([1]);
  expect(closed).toBe(true);
});
