import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { CrmError } from '../../core/errors/index.js';
import { detectDelimiter } from './csv-delimiter.js';
import { type CsvDialect, parseOptions } from './csv-dialect.js';
import { type CsvEncoding, detectEncoding, SAMPLE_BYTES } from './csv-encoding.js';
import type { CsvOptions } from './csv-options.js';

/** Everything needed to read one file, resolved from the options and the file's first bytes. */
export interface CsvFormat extends CsvDialect {
  readonly file: string;
  readonly encoding: CsvEncoding;
  /** False when the user declared the delimiter. */
  readonly delimiterDetected: boolean;
  readonly header: boolean;
  readonly nullMarkers: ReadonlySet<string>;
  /** Column names from the header (empty names become cN, repeated names get `_N`), or c1..cN. */
  readonly columns: readonly string[];
}

async function readSample(file: string): Promise<{ sample: Buffer; whole: boolean }> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return { sample: buffer.subarray(0, bytesRead), whole: bytesRead < SAMPLE_BYTES };
  } finally {
    await handle.close();
  }
}

/** The sample as text, cut after its last line break unless it is the whole file (a partial record would skew detection). */
function sampleText(sample: Buffer, encoding: CsvEncoding, whole: boolean): string {
  const body = sample.subarray(encoding.bomLength);
  const text = encoding.utf8 ? body.toString('utf8') : iconv.decode(body, encoding.name, { stripBOM: false });
  if (whole) return text;
  const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return cut > 0 ? text.slice(0, cut + 1) : text;
}

function columnNames(first: readonly string[] | undefined, header: boolean): string[] {
  if (!first) return [];
  if (!header) return first.map((_, i) => `c${i + 1}`);
  const seen = new Set<string>();
  return first.map((name, i) => {
    let out = name === '' ? `c${i + 1}` : name;
    if (seen.has(out)) out = `${out}_${i + 1}`;
    seen.add(out);
    return out;
  });
}

/** `expectedWidth`: the column count when known (from a sidecar), a hint for delimiter detection. */
export async function detectFormat(file: string, options: CsvOptions, expectedWidth?: number): Promise<CsvFormat> {
  const { sample, whole } = await readSample(file);
  const encoding = detectEncoding(sample, options.encoding);
  const text = sampleText(sample, encoding, whole);
  const base = { quote: options.quote, escape: options.escape, trim: options.trim };
  const delimiter = options.delimiter ?? detectDelimiter(text, base, expectedWidth);
  const dialect: CsvDialect = { ...base, delimiter };
  let first: string[] | undefined;
  try {
    first = (parse(text, { ...parseOptions(dialect), skip_records_with_error: false, to: 1 }) as string[][])[0];
  } catch (cause) {
    throw new CrmError('CRM_R4001', 'the first record (header) of the file cannot be parsed', {
      location: { connector: 'csv', file, line: 1 },
      cause,
    });
  }
  return {
    ...dialect,
    file,
    encoding,
    delimiterDetected: options.delimiter === undefined,
    header: options.header,
    nullMarkers: new Set(options.nullMarkers),
    columns: columnNames(first, options.header),
  };
}
