import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { incompleteTailLength, scanUtf8 } from '../shared/utf8-scan.js';

export interface CsvEncoding {
  /** Lower-case encoding name as reported to the user: `utf-8`, `windows-1252`, `utf-16le`, … */
  readonly name: string;
  /** UTF-8 files skip the decoder: their bytes go to the parser as they are (and offsets are file offsets). */
  readonly utf8: boolean;
  readonly bomLength: number;
  /** False when the user declared it. */
  readonly detected: boolean;
}

/** How much of the file the encoding (and delimiter) detection looks at. */
export const SAMPLE_BYTES = 64 * 1024;

const BOMS: readonly { readonly bytes: readonly number[]; readonly name: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], name: 'utf-8' },
  { bytes: [0xff, 0xfe], name: 'utf-16le' },
  { bytes: [0xfe, 0xff], name: 'utf-16be' },
];

const canonicalName = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const isUtf8Name = (name: string) => canonicalName(name) === 'utf8';

function make(name: string, bomLength: number, detected: boolean): CsvEncoding {
  const lower = name.toLowerCase();
  return { name: isUtf8Name(lower) ? 'utf-8' : lower, utf8: isUtf8Name(lower), bomLength, detected };
}

/**
 * Order of evidence: a declared encoding, a BOM, the sample being valid UTF-8 (or mostly UTF-8 with a
 * few bad bytes, which are then rejected per record), and only then chardet's guess. chardet names
 * windows-1252 text ISO-8859-1; the two differ only where ISO-8859-1 has control codes, so it is
 * decoded as windows-1252 (curly quotes, €, etc. come out right).
 */
export function detectEncoding(sample: Buffer, declared: string | undefined): CsvEncoding {
  const bom = BOMS.find((b) => b.bytes.every((byte, i) => sample[i] === byte));
  if (declared !== undefined) {
    const bomLength = bom && canonicalName(bom.name) === canonicalName(declared) ? bom.bytes.length : 0;
    return make(declared, bomLength, false);
  }
  if (bom) return make(bom.name, bom.bytes.length, true);
  const whole = sample.subarray(0, sample.length - incompleteTailLength(sample));
  if (isUtf8(whole)) return make('utf-8', 0, true);
  const scan = scanUtf8(whole);
  if (scan.multibyte > scan.invalid.length) return make('utf-8', 0, true);
  const guess = chardet.detect(whole);
  if (guess === null || !iconv.encodingExists(guess)) return make('utf-8', 0, true);
  return make(canonicalName(guess) === 'iso88591' ? 'windows-1252' : guess, 0, true);
}

/** A spot the parser must not accept silently: an invalid byte, an undecodable byte, a NUL. */
export interface BadSpot {
  /** Absolute offset in the parser input (the file after its BOM, re-encoded as UTF-8 when decoded). */
  readonly offset: number;
  readonly reason: string;
}

export interface InputChunk {
  readonly bytes: Buffer;
  readonly bad: readonly BadSpot[];
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The file as UTF-8 chunks for the parser, each with the bad spots it holds. UTF-8 files are passed
 * through byte for byte (a multi-byte character split by a chunk edge is carried to the next chunk);
 * other encodings go through iconv-lite's decoder, whose replacement characters mark undecodable bytes.
 */
export async function* parserInput(file: string, encoding: CsvEncoding): AsyncGenerator<InputChunk> {
  const source = createReadStream(file, { start: encoding.bomLength, highWaterMark: CHUNK_BYTES });
  try {
    if (encoding.utf8) yield* utf8Chunks(source, encoding.bomLength);
    else yield* decodedChunks(source, encoding.name);
  } finally {
    source.destroy();
  }
}

async function* utf8Chunks(source: AsyncIterable<Buffer>, bomLength: number): AsyncGenerator<InputChunk> {
  let offset = 0;
  let carry: Buffer | undefined;
  for await (const raw of source) {
    const joined = carry ? Buffer.concat([carry, raw]) : raw;
    const keep = incompleteTailLength(joined);
    const bytes = joined.subarray(0, joined.length - keep);
    carry = keep > 0 ? Buffer.from(joined.subarray(joined.length - keep)) : undefined;
    yield { bytes, bad: utf8BadSpots(bytes, offset, bomLength) };
    offset += bytes.length;
  }
  if (carry) yield { bytes: carry, bad: utf8BadSpots(carry, offset, bomLength) };
}

function utf8BadSpots(bytes: Buffer, base: number, bomLength: number): BadSpot[] {
  const bad: BadSpot[] = [];
  if (!isUtf8(bytes)) {
    for (const at of scanUtf8(bytes).invalid) {
      const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
      bad.push({ offset: base + at, reason: `invalid UTF-8 byte 0x${hex} at byte offset ${bomLength + base + at}` });
    }
  }
  for (let at = bytes.indexOf(0); at !== -1; at = bytes.indexOf(0, at + 1)) {
    bad.push({ offset: base + at, reason: `NUL byte at byte offset ${bomLength + base + at}` });
  }
  return bad.sort((a, b) => a.offset - b.offset);
}

async function* decodedChunks(source: NodeJS.ReadableStream, name: string): AsyncGenerator<InputChunk> {
  const decoder = iconv.decodeStream(name);
  source.on('error', (err) => decoder.emit('error', err));
  source.pipe(decoder);
  let offset = 0;
  for await (const text of decoder as AsyncIterable<string>) {
    const bytes = Buffer.from(text, 'utf8');
    const bad: BadSpot[] = [];
    let charAt = 0;
    let byteAt = 0;
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
      byteAt += Buffer.byteLength(text.slice(charAt, i));
      charAt = i;
      bad.push({ offset: offset + byteAt, reason: `bytes that are not valid ${name}` });
    }
    for (let at = bytes.indexOf(0); at !== -1; at = bytes.indexOf(0, at + 1)) bad.push({ offset: offset + at, reason: 'NUL character' });
    yield { bytes, bad: bad.sort((a, b) => a.offset - b.offset) };
    offset += bytes.length;
  }
}
