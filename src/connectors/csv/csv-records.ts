import { Parser } from 'csv-parse';
import { CrmError } from '../../core/errors/index.js';
import type { ReadReject } from '../contract.js';
import { readCancelled } from '../shared/read-cancelled.js';
import { ByteWindow } from './byte-window.js';
import { parseOptions } from './csv-dialect.js';
import { type BadSpot, parserInput } from './csv-encoding.js';
import type { CsvFormat } from './csv-format.js';
import { quotedFlags } from './quoted-fields.js';

/** A well-formed data record: its cells (unquoted empty cells and null markers already NULL) and source line. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: (string | null)[];
  /** The record's text without its line ending. */
  readonly raw: string;
  readonly reject?: undefined;
}

export type RecordEvent = CsvRecord | { readonly reject: ReadReject };

interface ParsedRecord {
  readonly record: (string | null)[];
  readonly raw: string;
}

/**
 * Longest record accepted. It bounds memory when a quote is never closed (the rest of the file would
 * otherwise become one field) and makes such a record fail, so that reading recovers after it.
 */
const MAX_RECORD_CHARS = 32 * 1024 * 1024;

const PARSER_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text follows the closing quote of a field',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field',
  CSV_MAX_RECORD_SIZE: `the record is longer than ${MAX_RECORD_CHARS} characters (likely an unclosed quote)`,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows the closing quote of a field',
};

function problemOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && PARSER_PROBLEMS[code]) || 'the record cannot be parsed';
}

function lineBreaks(text: string): number {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return 0;
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * Streams a CSV file as record events, never stopping at a bad record and never dropping one.
 *
 * csv-parse does the parsing; this class adds what it lacks: exact source lines, NULL vs '' (an
 * unquoted empty cell is NULL, a quoted one ''), rejects for bad bytes and wrong field counts,
 * and recovery from a quote error. csv-parse reports such an error only where the damage shows
 * (often many lines later) and has by then swallowed the records in between; the record is then
 * taken to be the first physical line from where it began, rejected, and a fresh parser resumes on
 * the next line with the bytes kept in the window. The consumer pulls: one chunk is parsed per pull.
 */
export class CsvRecordReader {
  private readonly window = new ByteWindow();
  private bad: BadSpot[] = [];
  private badHead = 0;
  private parser: Parser | undefined;
  private generation = 0;
  private taken = 0;
  /** Where the current parser failed: the index of the first record it emitted after the failed one. */
  private failure: { readonly index: number; readonly error: unknown } | undefined;
  /** A failed record waiting for the end of its first line before it can be rejected. */
  private unrecovered: { readonly error: unknown } | undefined;
  private parserError: unknown;
  /** Absolute offset (parser input) where the next record starts, and its line. */
  private cursor = 0;
  private line = 1;
  private headerPending: boolean;
  private readonly width: number;

  constructor(private readonly format: CsvFormat) {
    this.headerPending = format.header;
    this.width = format.columns.length;
  }

  async *events(signal?: AbortSignal): AsyncGenerator<RecordEvent[]> {
    this.startParser();
    try {
      for await (const chunk of parserInput(this.format.file, this.format.encoding)) {
        if (signal?.aborted) throw readCancelled(this.location());
        this.window.append(chunk.bytes);
        for (const spot of chunk.bad) this.bad.push(spot);
        if (!this.unrecovered) this.parser?.write(chunk.bytes);
        const out: RecordEvent[] = [];
        this.drain(out, false);
        this.window.dropBefore(this.cursor);
        if (out.length > 0) yield out;
      }
      const out: RecordEvent[] = [];
      for (;;) {
        const generation = this.generation;
        if (!this.unrecovered) await this.endParser();
        this.drain(out, true);
        if (generation === this.generation) break;
      }
      if (out.length > 0) yield out;
    } finally {
      this.parser?.destroy();
    }
  }

  private location(line?: number) {
    return { connector: 'csv', file: this.format.file, ...(line === undefined ? {} : { line }) };
  }

  private startParser(): void {
    this.parser?.destroy();
    const generation = ++this.generation;
    const parser = new Parser({ ...parseOptions(this.format), raw: true, max_record_size: MAX_RECORD_CHARS });
    parser.on('skip', (error: unknown) => {
      if (generation === this.generation && this.failure === undefined) this.failure = { index: this.taken + parser.readableLength, error };
    });
    parser.on('error', (error: unknown) => {
      if (generation === this.generation) this.parserError = error;
    });
    this.parser = parser;
    this.taken = 0;
    this.failure = undefined;
  }

  private endParser(): Promise<void> {
    const parser = this.parser;
    return new Promise((resolve) => (parser ? parser.end(() => resolve()) : resolve()));
  }

  private drain(out: RecordEvent[], ending: boolean): void {
    for (;;) {
      if (this.parserError !== undefined) {
        throw new CrmError('CRM_X9001', 'the CSV parser failed', { location: this.location(this.line), cause: this.parserError });
      }
      if (this.unrecovered) {
        if (!this.recover(this.unrecovered.error, out, ending)) return;
        continue;
      }
      if (this.failure !== undefined && this.taken === this.failure.index) {
        this.unrecovered = { error: this.failure.error };
        continue;
      }
      const item = this.parser?.read() as ParsedRecord | null;
      if (item === null || item === undefined) return;
      this.taken++;
      this.accept(item, out);
    }
  }

  /** Rejects the first physical line of the failed record and restarts parsing after it; false while that line is incomplete. */
  private recover(error: unknown, out: RecordEvent[], ending: boolean): boolean {
    const start = this.cursor;
    const lineBreak = this.window.indexOfLineBreak(start);
    let next: number;
    if (lineBreak === -1) {
      if (!ending) return false;
      next = this.window.end;
    } else if (this.window.byteAt(lineBreak) === 0x0d) {
      const after = this.window.byteAt(lineBreak + 1);
      if (after === undefined && !ending) return false;
      next = after === 0x0a ? lineBreak + 2 : lineBreak + 1;
    } else {
      next = lineBreak + 1;
    }
    const raw = this.window.slice(start, lineBreak === -1 ? next : lineBreak).toString('utf8');
    const message = problemOf(error);
    if (this.headerPending) {
      throw new CrmError('CRM_R4001', `the header cannot be parsed: ${message}`, { location: this.location(this.line) });
    }
    out.push({ reject: { code: 'CRM_R4001', message, file: this.format.file, line: this.line, raw } });
    this.line++;
    this.cursor = next;
    this.unrecovered = undefined;
    this.takeBadSpot(start, next);
    this.startParser();
    if (next < this.window.end) this.parser?.write(this.window.slice(next));
    return true;
  }

  /** The first bad spot inside [start, end), consuming all of them. */
  private takeBadSpot(start: number, end: number): string | undefined {
    const bad = this.bad;
    while (this.badHead < bad.length && bad[this.badHead].offset < start) this.badHead++;
    let reason: string | undefined;
    if (this.badHead < bad.length && bad[this.badHead].offset < end) {
      reason = bad[this.badHead].reason;
      while (this.badHead < bad.length && bad[this.badHead].offset < end) this.badHead++;
    }
    if (this.badHead > 1024) {
      this.bad = bad.slice(this.badHead);
      this.badHead = 0;
    }
    return reason;
  }

  private accept(item: ParsedRecord, out: RecordEvent[]): void {
    const { raw } = item;
    const start = this.cursor;
    const last = raw.charCodeAt(raw.length - 1);
    const terminated = last === 0x0a || last === 0x0d;
    let end = start + Buffer.byteLength(raw);
    // Invalid bytes come back as U+FFFD (3 bytes), so a record holding a bad spot is measured in the
    // bytes themselves: it ends at its n-th line-break byte (invalid sequences never swallow ASCII).
    if (this.badHead < this.bad.length && this.bad[this.badHead].offset < end) end = this.endByLineBreaks(start, raw, terminated);
    // csv-parse's raw text ends a CRLF record at the CR; the LF is the next byte.
    if (last === 0x0d && this.window.byteAt(end) === 0x0a) end++;
    const content = terminated ? raw.slice(0, -1) : raw;
    const line = this.line;
    this.line += lineBreaks(content) + 1;
    this.cursor = end;
    const badReason = this.takeBadSpot(start, end);
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    const fields = item.record;
    if (content === '' && fields.length === 1 && this.width !== 1) return; // a blank line holds no record
    const file = this.format.file;
    if (badReason !== undefined) {
      out.push({ reject: { code: 'CRM_R4002', message: badReason, file, line, raw: content } });
    } else if (fields.length !== this.width) {
      const message = `expected ${this.width} fields, found ${fields.length}`;
      out.push({ reject: { code: 'CRM_R4001', message, file, line, raw: content } });
    } else {
      this.resolveNulls(fields, content);
      out.push({ line, fields, raw: content });
    }
  }

  private endByLineBreaks(start: number, raw: string, terminated: boolean): number {
    if (!terminated) return this.window.end;
    let breaks = raw.match(/[\r\n]/g)?.length ?? 0;
    let at = start - 1;
    while (breaks-- > 0) at = this.window.indexOfLineBreak(at + 1);
    return at + 1;
  }

  private resolveNulls(fields: (string | null)[], content: string): void {
    const { quote, nullMarkers } = this.format;
    let quoted: boolean[] | undefined;
    let hasQuote: boolean | undefined;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as string;
      if (f !== '' && (nullMarkers.size === 0 || !nullMarkers.has(f))) continue;
      hasQuote ??= quote !== '' && content.includes(quote);
      if (hasQuote) {
        quoted ??= quotedFlags(content, fields.length, this.format);
        if (quoted[i]) continue;
      }
      fields[i] = null;
    }
  }
}
