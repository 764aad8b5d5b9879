import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { CrmError } from '../../src/core/errors/index.js';

/**
 * Issue 13 (lossy text decoding), JSON files: Node's utf8 decoding turned bytes that are not
 * UTF-8 into U+FFFD without a word, so a Latin-1 `é` arrived as `�` and the run said nothing.
 * Now a line whose bytes are not UTF-8 is rejected as invalid_encoding naming the bytes, and an
 * array holding such bytes stops with CRM_R4002 saying where.
 */
let dir: string;
const opened: Connector[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmbridge-json-utf8-'));
});
afterAll(async () => {
  for (const c of opened) await c.close();
  await rm(dir, { recursive: true, force: true });
});

async function read(file: string, table: string): Promise<{ batches: ReadBatch[]; error?: unknown }> {
  const connector = await openConnector(file);
  opened.push(connector);
  const batches: ReadBatch[] = [];
  try {
    for await (const batch of connector.read(table)) batches.push(batch);
  } catch (error) {
    return { batches, error };
  }
  return { batches };
}

const names = (batches: readonly ReadBatch[]) => batches.flatMap((b) => b.rows.map((r) => r[b.columns.indexOf('name')]));

describe('JSON text that is not UTF-8', () => {
  it('NDJSON: the line is rejected as invalid_encoding naming the bytes; the other lines load, U+FFFD written as UTF-8 stays', async () => {
    const file = join(dir, 'people.ndjson');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('{"id": 1, "name": "Zoë"}\r\n'),
        // Latin-1 "José": 0xE9 alone is not UTF-8.
        Buffer.from('{"id": 2, "name": "Jos'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n'),
        Buffer.from('{"id": 3, "name": "kept \uFFFD as stored"}\n'),
      ]),
    );
    const { batches, error } = await read(file, 'people');
    expect(error).toBeUndefined();
    expect(names(batches)).toEqual(['Zoë', 'kept \uFFFD as stored']);
    const rejects = batches.flatMap((b) => b.rejects ?? []);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ code: 'CRM_R4002', line: 2 });
    expect(rejects[0].message).toContain('0xE9');
    expect(rejects[0].message).toContain('at offset 22');
  });

  it('a JSON array: the read stops with CRM_R4002 at the bytes, after the elements before them', async () => {
    const file = join(dir, 'accounts.json');
    await writeFile(
      file,
      Buffer.concat([Buffer.from('[{"id": 1, "name": "Acme"},\n {"id": 2, "name": "Caf'), Buffer.from([0xe9]), Buffer.from('"}]')]),
    );
    const { batches, error } = await read(file, 'accounts');
    expect(names(batches)).toEqual(['Acme']);
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).code).toBe('CRM_R4002');
    expect((error as CrmError).message).toContain('0xE9');
  });

  it('multi-byte characters split across read chunks decode exactly', async () => {
    const file = join(dir, 'wide.ndjson');
    // 64 KiB read chunks: lines of 3- and 4-byte characters straddle their boundaries.
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: i, name: `名前😀${'é'.repeat(i % 7)}` }));
    await writeFile(file, `${lines.join('\n')}\n`);
    const { batches, error } = await read(file, 'wide');
    expect(error).toBeUndefined();
    expect(batches.flatMap((b) => b.rejects ?? [])).toEqual([]);
    expect(names(batches)).toEqual(lines.map((l) => (JSON.parse(l) as { name: string }).name));
    const array = join(dir, 'wide-array.json');
    await writeFile(array, `[${lines.join(',\n')}]`);
    const fromArray = await read(array, 'wide-array');
    expect(fromArray.error).toBeUndefined();
    expect(names(fromArray.batches)).toEqual(names(batches));
  });
});
