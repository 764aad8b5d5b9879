import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Token } from 'stream-json/parser.js';
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

/** NDJSON: each non-blank line is one object; a malformed line is reported and reading goes on. */
async function* lineRecords(file: string): AsyncGenerator<FileRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (let text of lines) {
      line++;
      if (line === 1) text = text.replace(BOM, '');
      if (text.trim() === '') continue;
      let value: JsonValue;
      try {
        value = parseJson(text);
      } catch (err) {
        yield { ok: false, message: `malformed JSON: ${(err as Error).message}`, raw: text, line, fatal: false };
        continue;
      }
      yield isJsonObject(value)
        ? { ok: true, value, line, raw: text }
        : { ok: false, message: 'expected a JSON object', raw: text, line, fatal: false };
    }
  } finally {
    lines.close();
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
          : { ok: false, message: `element ${this.elements} is not a JSON object`, raw: stringifyJson(done.value), fatal: false },
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
    const stream = createReadStream(file, { encoding: 'utf8' });
    let chunkIndex = 0;
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        const text = chunkIndex === 0 ? chunk.replace(BOM, '') : chunk;
        const slices = fine && chunkIndex === brokenChunk ? Math.ceil(text.length / FINE_SLICE) : 1;
        for (let i = 0; i < slices && pass.error === undefined; i++) {
          pass.feed(slices === 1 ? text : text.slice(i * FINE_SLICE, (i + 1) * FINE_SLICE));
        }
        yield* unseen();
        if (pass.error !== undefined) break;
        chunkIndex++;
      }
    } finally {
      stream.destroy();
    }
    const brokeInChunk = pass.error !== undefined;
    if (!brokeInChunk) pass.feed(END_OF_INPUT);
    yield* unseen();
    if (pass.error === undefined) return;
    if (fine || !brokeInChunk) {
      yield { ok: false, message: `malformed JSON array after element ${pass.elements}: ${pass.error}`, raw: '', fatal: true };
      return;
    }
    brokenChunk = chunkIndex;
  }
}
