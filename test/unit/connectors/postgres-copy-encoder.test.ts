import { describe, expect, it } from 'vitest';
import { copyTextChunks } from '../../../src/connectors/postgres/postgres-copy-encoder.js';
import { CrmError } from '../../../src/core/errors/index.js';
import type { Row } from '../../../src/core/types.js';

const encode = (rows: readonly Row[], columns = ['a', 'b']) => [...copyTextChunks(rows, columns, 't')];

describe('postgres COPY text encoder', () => {
  it('writes NULL, escapes, booleans, numbers, binary and arrays in COPY text format', () => {
    const text = Buffer.concat(
      encode(
        [
          [null, 'tab\there\\ and\nline\rend'],
          [true, 12345678901234567890n],
          [Uint8Array.from([0xde, 0xad]), ['x,y', 'q"u\\o']],
        ],
        ['a', 'b'],
      ),
    ).toString('utf8');
    expect(text).toBe('\\N\ttab\\there\\\\ and\\nline\\rend\nt\t12345678901234567890\n\\\\xdead\t{"x,y","q\\\\"u\\\\\\\\o"}\n');
  });

  it('cuts chunks between lines only, every byte once, with multi-byte text and lines larger than a chunk', () => {
    // ~70 KB rows of 3- and 4-byte characters around a 64 KiB chunk, and small rows between.
    const rows: Row[] = [];
    for (let i = 0; i < 300; i++) rows.push([String(i), i % 100 === 7 ? '日本😀'.repeat(9000) : `naïve ${'é'.repeat(i * 7)} 😀`]);
    const chunks = encode(rows);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a);
    const expected = rows.map((r) => `${r[0]}\t${r[1]}\n`).join('');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });

  it('refuses a NUL character with CRM_R4003 naming the row and column', () => {
    let error: unknown;
    try {
      encode([
        ['1', 'fine'],
        ['2', 'bad\0text'],
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).code).toBe('CRM_R4003');
    expect((error as CrmError).location).toMatchObject({ column: 'b', row: 1 });
  });
});
