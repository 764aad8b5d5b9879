import type { Options } from 'csv-parse';

/** The parts of a CSV format that the parser, the quoting check and the writer share. */
export interface CsvDialect {
  readonly delimiter: string;
  /** '' when quoting is off. */
  readonly quote: string;
  readonly escape: string;
  readonly trim: boolean;
}

/**
 * Any of CRLF, LF and CR ends a record (files mixing them are common after hand edits); CRLF first so
 * that it is one delimiter, not two.
 */
export const RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

/** csv-parse options for a dialect: records as string arrays, never cast (see `quoted-fields.ts`). */
export function parseOptions(dialect: CsvDialect): Options {
  return {
    delimiter: dialect.delimiter,
    quote: dialect.quote === '' ? null : dialect.quote,
    escape: dialect.quote === '' ? null : dialect.escape,
    record_delimiter: RECORD_DELIMITERS,
    trim: dialect.trim,
    bom: false,
    relax_column_count: true,
    skip_records_with_error: true,
  };
}
