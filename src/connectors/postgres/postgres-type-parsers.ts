import pg, { type CustomTypesConfig } from 'pg';
import { normalizeTime, normalizeTimestamp, normalizeTimestamptz } from '../../core/canonical.js';
import type { Value } from '../../core/types.js';

type TextParser = (text: string) => Value;

const { builtins } = pg.types;

/** Array type OIDs (pg_type.typarray of text, varchar, bpchar): multiselect columns. */
const TEXT_ARRAY_OIDS = [1009, 1015, 1014] as const;

// pg-types' own array grammar (quotes, escapes, NULL) for text arrays; its default parsers for
// every other type are not used, because they build Dates and parse json.
const parseTextArray = pg.types.getTypeParser(TEXT_ARRAY_OIDS[0] as number as Parameters<typeof pg.types.getTypeParser>[0], 'text') as (
  text: string,
) => string[];

const identity: TextParser = (text) => text;

/**
 * Server text output → the canonical JS form of each value (see `src/core/types.ts`). The session
 * runs with TimeZone=UTC, DateStyle=ISO and bytea_output=hex (postgres-config.ts), which these
 * parsers rely on. Types not listed arrive as the server's text (numeric, date, text, json,
 * jsonb, uuid, enums): exactly their canonical form already, and never through a `number`.
 */
const PARSERS: ReadonlyMap<number, TextParser> = new Map<number, TextParser>([
  [builtins.BOOL, (text) => text === 't'],
  [builtins.INT2, Number],
  [builtins.INT4, Number],
  [builtins.INT8, BigInt],
  [builtins.FLOAT4, Number],
  [builtins.FLOAT8, Number],
  [builtins.TIME, normalizeTime],
  [builtins.TIMESTAMP, normalizeTimestamp],
  [builtins.TIMESTAMPTZ, parseTimestamptz],
  [builtins.BYTEA, (text) => new Uint8Array(Buffer.from(text.slice(2), 'hex'))],
  ...TEXT_ARRAY_OIDS.map((oid): [number, TextParser] => [oid, parseTextArray]),
]);

/** The session is UTC, so the server prints `+00`: a string rewrite, no `Date`, no lost microseconds. */
function parseTimestamptz(text: string): string {
  if (text.endsWith('+00')) {
    const space = text.indexOf(' ');
    return `${text.slice(0, space)}T${normalizeTime(text.slice(space + 1, -3))}Z`;
  }
  return normalizeTimestamptz(text);
}

/** Per-pool type parsers (the global `pg.types` registry is left alone for other code). */
export const typeParsers: CustomTypesConfig = {
  // Results always come in text format: pg never asks for binary parsers here.
  getTypeParser: ((oid: number) => PARSERS.get(oid) ?? identity) as CustomTypesConfig['getTypeParser'],
};
