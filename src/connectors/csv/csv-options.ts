import iconv from 'iconv-lite';
import { z } from 'zod';
import { CrmError } from '../../core/errors/index.js';

/**
 * The CSV options a connection string's project entry may carry. Unknown keys are ignored (the
 * same options object also carries keys for other layers, e.g. `format`).
 */
export interface CsvOptions {
  /** Undefined: detect among `,` `;` tab `|` and report the one used. */
  readonly delimiter?: string;
  /** The quote character; '' turns quoting off. */
  readonly quote: string;
  /** The escape character inside quoted fields; defaults to the quote (`""`). */
  readonly escape: string;
  /** First record is the header; false names the columns c1..cN. */
  readonly header: boolean;
  /** Extra unquoted cell texts read as NULL (e.g. `NULL`, `\N`); the writer quotes such strings. */
  readonly nullMarkers: readonly string[];
  /** Undefined: detect (BOM, UTF-8 validity, then chardet). */
  readonly encoding?: string;
  /** Trim white space around unquoted fields and around quotes. */
  readonly trim: boolean;
}

const noLineBreak = (s: string) => !/[\r\n]/.test(s);

const schema = z.object({
  delimiter: z.string().min(1).refine(noLineBreak, 'must not contain a line break').optional(),
  quote: z.union([z.string().max(4), z.literal(false), z.null()]).optional(),
  escape: z.string().min(1).max(4).optional(),
  header: z.boolean().optional(),
  nullMarkers: z.array(z.string()).optional(),
  encoding: z
    .string()
    .refine((e) => iconv.encodingExists(e), 'is not an encoding iconv-lite knows')
    .optional(),
  trim: z.boolean().optional(),
});

export function parseCsvOptions(raw: Readonly<Record<string, unknown>> | undefined): CsvOptions {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new CrmError('CRM_C1003', `invalid CSV option: ${detail}`, { location: { connector: 'csv' } });
  }
  const o = parsed.data;
  const quote = o.quote === false || o.quote === null ? '' : (o.quote ?? '"');
  const options: CsvOptions = {
    ...(o.delimiter === undefined ? {} : { delimiter: o.delimiter }),
    quote,
    escape: o.escape ?? quote,
    header: o.header ?? true,
    nullMarkers: o.nullMarkers ?? [],
    ...(o.encoding === undefined ? {} : { encoding: o.encoding }),
    trim: o.trim ?? false,
  };
  if (options.delimiter !== undefined && quote !== '' && options.delimiter.includes(quote)) {
    throw new CrmError('CRM_C1003', 'invalid CSV option: the delimiter must not contain the quote character', {
      location: { connector: 'csv' },
    });
  }
  return options;
}
