import { createReadStream } from 'node:fs';
import type { Token } from 'stream-json/parser.js';
import { undecodableBytes } from '../shared/undecodable-bytes.js';
import { incompleteTailLength, scanUtf8 } from '../shared/utf8-scan.js';
import type { JsonFormat } from './json-location.js';
import {
  END_OF_INPUT,
  isJsonObject,
  JsonAssembler,
  type JsonObject,
  type JsonValue,
  parseJson,
  stringifyJson,
  tokenizer,
} from './json-value.js';

/** One record of a file, or the reason it could not be read. */
export type FileRecord =
  | { readonly ok: true; readonly value: JsonObject; readonly line?: number; readonly raw?: string }
  | {
      readonly ok: false;
      /** CRM_R4002 when its bytes are not UTF-8, else CRM_R4004 (not JSON, or not an object). */
      readonly code: 'CRM_R4002' | 'CRM_R4004';
      readonly message: string;
      readonly raw: string;
      readonly line?: number;
      /** True when nothing after this point can be read (a broken array). */
      readonly fatal: boolean;
    };

const BOM = /^\uFEFF/;

/** Records of a file, streamed with bounded memory: line by line, or element by element of the array. */
export function fileRecords(file: string, format: JsonFormat): AsyncGenerator<FileRecord> {
  return format === 'lines' ? lineRecords(file) : arrayRecords(file);
}

/**
 * JSON text is UTF-8 (RFC 8259). Node's own decoding turns invalid bytes into U+FFFD without a
 * word, so files are read as bytes and decoded here, where invalid bytes are caught.
 */
const strictUtf8 = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why `bytes` are not UTF-8, naming the first invalid bytes and their offset (from `base`). */
function notUtf8(bytes: Buffer, base = 0): string {
  const where = undecodableBytes(bytes, bytes.toString('utf8'), (c) => Buffer.from(c, 'utf8'));
  return `${where.replace(/at offset (\d+)/, (_m, n: string) => `at offset ${base + Number(n)}`)} not UTF-8`;
}

/** The lines of a file as bytes (without their \n or \r\n), streamed. */
async function* byteLines(file: string): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10)) {
      yield data.subarray(0, nl > 0 && data[nl - 1] === 13 ? nl - 1 : nl);
      data = data.subarray(nl + 1);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) yield rest;
}

/**
 * NDJSON: each non-blank line is one object; a malformed line, or one whose bytes are not
 * UTF-8, is reported and reading goes on.
 */
async function* lineRecords(file: string): AsyncGenerator<FileRecord> {
  const decoder = strictUtf8();
  let line = 0;
  for await (const bytes of byteLines(file)) {
    line++;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      const raw = bytes.toString('utf8');
      yield { ok: false, code: 'CRM_R4002', message: `line ${line}: ${notUtf8(bytes)}`, raw, line, fatal: false };
      continue;
    }
    if (line === 1) text = text.replace(BOM, '');
    if (text.trim() === '') continue;
    let value: JsonValue;
    try {
      value = parseJson(text);
    } catch (err) {
      yield { ok: false, code: 'CRM_R4004', message: `malformed JSON: ${(err as Error).message}`, raw: text, line, fatal: false };
      continue;
    }
    yield isJsonObject(value)
      ? { ok: true, value, line, raw: text }
      : { ok: false, code: 'CRM_R4004', message: 'expected a JSON object', raw: text, line, fatal: false };
  }
}

/** Tokenizer, assembler and position in the array for one pass over a file. */
class ArrayPass {
  private readonly tokenize = tokenizer();
  private readonly assembler = new JsonAssembler();
  private state = 'before' as 'before' | 'inside' | 'after';
  /** Elements completed so far in this pass. */
  elements = 0;
  readonly pending: FileRecord[] = [];
  error: string | undefined;

  /** Feeds text (or the end of input); a syntax error is kept in `error`, never thrown. */
  feed(input: string | typeof END_OF_INPUT): void {
    try {
      for (const token of this.tokenize(input)) this.accept(token);
      if (input === END_OF_INPUT && this.state !== 'after')
        throw new Error(this.state === 'before' ? 'the file is empty' : 'the array is not closed');
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private accept(token: Token): void {
    if (this.state === 'before') {
      if (token.name !== 'startArray') throw new Error('the file does not hold a JSON array of objects');
      this.state = 'inside';
    } else if (this.state === 'after') {
      throw new Error('unexpected text after the closing ]');
    } else if (this.assembler.depth === 0 && token.name === 'endArray') {
      this.state = 'after';
    } else {
      const done = this.assembler.push(token);
      if (!done) return;
      this.elements++;
      this.pending.push(
        isJsonObject(done.value)
          ? { ok: true, value: done.value }
          : {
              ok: false,
              code: 'CRM_R4004',
              message: `element ${this.elements} is not a JSON object`,
              raw: stringifyJson(done.value),
              fatal: false,
            },
      );
    }
  }
}

/** Slice size when re-reading the chunk that broke: at most the elements ending in one slice are lost. */
const FINE_SLICE = 16;

/**
 * A JSON array: file chunks go through stream-json's synchronous tokenizer (no per-token
 * promise), and each element is assembled on its own, so memory holds one record at a time.
 * An element that is not an object is reported and skipped; a syntax error ends the read with a
 * fatal record. The tokenizer drops the tokens of a chunk that fails, so a second pass re-reads
 * the file up to that chunk and feeds the chunk in small slices, recovering the elements before
 * the break (already-yielded ones are skipped).
 */
async function* arrayRecords(file: string): AsyncGenerator<FileRecord> {
  let yielded = 0;
  let brokenChunk: number | undefined;
  for (const fine of [false, true]) {
    const pass = new ArrayPass();
    let seen = 0;
    const unseen = (): FileRecord[] => {
      const out = pass.pending.splice(0).filter(() => ++seen > yielded);
      yielded += out.length;
      return out;
    };
    const stream = createReadStream(file);
    const decoder = strictUtf8();
    // Bytes of a character split between two reads wait for the next one; `offset` is where `carry` starts in the file.
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let invalidAt: number | undefined;
    let chunkIndex = 0;
    try {
      for await (const bytes of stream as AsyncIterable<Buffer>) {
        const data = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
        const whole = data.length - incompleteTailLength(data);
        let chunk: string;
        try {
          chunk = decoder.decode(data.subarray(0, whole));
        } catch {
          // Only the text before the first invalid bytes is fed: the elements it completes are kept.
          invalidAt = scanUtf8(data.subarray(0, whole)).invalid[0] ?? 0;
          chunk = decoder.decode(data.subarray(0, invalidAt));
          carry = data.subarray(invalidAt);
        }
        if (invalidAt === undefined) {
          carry = Buffer.from(data.subarray(whole));
          offset += whole;
        }
        const text = chunkIndex === 0 ? chunk.replace(BOM, '') : chunk;
        const slices = fine && chunkIndex === brokenChunk ? Math.ceil(text.length / FINE_SLICE) : 1;
        for (let i = 0; i < slices && pass.error === undefined; i++) {
          pass.feed(slices === 1 ? text : text.slice(i * FINE_SLICE, (i + 1) * FINE_SLICE));
        }
        yield* unseen();
        if (pass.error !== undefined || invalidAt !== undefined) break;
        chunkIndex++;
      }
    } finally {
      stream.destroy();
    }
    // Bytes that are not UTF-8 (or a character cut off by the end of the file): an array cannot be
    // resumed inside an element, so the read ends here, saying where and why.
    if (pass.error === undefined && (invalidAt !== undefined || carry.length > 0)) {
      const at = offset + (invalidAt ?? 0);
      yield { ok: false, code: 'CRM_R4002', message: `${notUtf8(carry, at)} (after element ${pass.elements})`, raw: '', fatal: true };
      return;
    }
    const brokeInChunk = pass.error !== undefined;
    if (!brokeInChunk) pass.feed(END_OF_INPUT);
    yield* unseen();
    if (pass.error === undefined) return;
    if (fine || !brokeInChunk) {
      yield {
        ok: false,
        code: 'CRM_R4004',
        message: `malformed JSON array after element ${pass.elements}: ${pass.error}`,
        raw: '',
        fatal: true,
      };
      return;
    }
    brokenChunk = chunkIndex;
  }
}
