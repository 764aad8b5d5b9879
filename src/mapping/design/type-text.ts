import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType } from '../../core/types.js';

/**
 * Canonical type text as a mapping declares it (`type: decimal(18,2)`, `text(255)`,
 * `enum(new,won,lost)`): a table of patterns, first match wins. Names are the canonical kinds,
 * plus the two SQL spellings people type without thinking (`varchar(n)`, `numeric(p,s)`).
 */
const TYPE_PATTERNS: readonly (readonly [RegExp, (m: RegExpExecArray) => CanonicalType])[] = [
  [/^(?:text|varchar)(?:\((\d+)\))?$/i, (m) => (m[1] ? { kind: 'text', length: Number(m[1]) } : { kind: 'text' })],
  [
    /^(?:decimal|numeric)(?:\((\d+)\s*(?:,\s*(\d+))?\))?$/i,
    (m) => ({
      kind: 'decimal',
      ...(m[1] ? { precision: Number(m[1]), scale: Number(m[2] ?? 0) } : {}),
    }),
  ],
  [/^binary(?:\((\d+)\))?$/i, (m) => (m[1] ? { kind: 'binary', length: Number(m[1]) } : { kind: 'binary' })],
  [/^enum\((.+)\)$/i, (m) => ({ kind: 'enum', values: listOf(m[1]) })],
  [/^multiselect(?:\((.+)\))?$/i, (m) => (m[1] ? { kind: 'multiselect', values: listOf(m[1]) } : { kind: 'multiselect' })],
  [/^(integer|bigint|float|boolean|date|time|timestamp|timestamptz|uuid|json)$/i, (m) => ({ kind: m[1].toLowerCase() }) as CanonicalType],
];

function listOf(text: string): string[] {
  return text.split(',').map((v) => v.trim().replace(/^['"]|['"]$/g, ''));
}

export function parseTypeText(text: string): CanonicalType {
  const trimmed = text.trim();
  for (const [pattern, build] of TYPE_PATTERNS) {
    const m = pattern.exec(trimmed);
    if (m) return build(m);
  }
  throw new CrmError(
    'CRM_M5001',
    `type "${text}" is not a canonical type (text(n), integer, bigint, decimal(p,s), float, boolean, date, time, timestamp, timestamptz, uuid, json, binary, enum(a,b), multiselect)`,
  );
}
