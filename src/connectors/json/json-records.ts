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

/**
 * A JSON array: file chunks go through stream-json's synchronous tokenizer (no per-token
 * promise), and each element is assembled on its own, so memory holds one record at a time.
 * An element that is not an object is reported and skipped; a syntax error ends the read.
 */
async function* arrayRecords(file: string): AsyncGenerator<FileRecord> {
  const tokenize = tokenizer();
  const assembler = new JsonAssembler();
  let state = 'before' as 'before' | 'inside' | 'after';
  let record = 0;
  const pending: FileRecord[] = [];
  const accept = (token: Token): void => {
    if (state === 'before') {
      if (token.name !== 'startArray') throw new Error('the file does not hold a JSON array of objects');
      state = 'inside';
    } else if (state === 'after') {
      throw new Error('unexpected text after the closing ]');
    } else if (assembler.depth === 0 && token.name === 'endArray') {
      state = 'after';
    } else {
      const done = assembler.push(token);
      if (!done) return;
      record++;
      pending.push(
        isJsonObject(done.value)
          ? { ok: true, value: done.value }
          : { ok: false, message: `element ${record} is not a JSON object`, raw: stringifyJson(done.value), fatal: false },
      );
    }
  };
  // Errors thrown while tokenizing are syntax errors of the file; read errors propagate.
  let syntaxError: string | undefined;
  const feed = (input: string | typeof END_OF_INPUT): void => {
    try {
      for (const token of tokenize(input)) accept(token);
    } catch (err) {
      syntaxError = err instanceof Error ? err.message : String(err);
    }
  };
  const stream = createReadStream(file, { encoding: 'utf8' });
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      feed(first ? chunk.replace(BOM, '') : chunk);
      first = false;
      yield* pending.splice(0);
      if (syntaxError !== undefined) break;
    }
    if (syntaxError === undefined) feed(END_OF_INPUT);
    if (syntaxError === undefined && state !== 'after') syntaxError = state === 'before' ? 'the file is empty' : 'the array is not closed';
    yield* pending.splice(0);
    if (syntaxError !== undefined) {
      yield { ok: false, message: `malformed JSON array after element ${record}: ${syntaxError}`, raw: '', fatal: true };
    }
  } finally {
    stream.destroy();
  }
}
