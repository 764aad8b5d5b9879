import { DatabaseError } from 'pg';
import { CrmError } from '../../core/errors/index.js';
import type { RowBatch, Value } from '../../core/types.js';
import { storedName } from './postgres-identifiers.js';

/**
 * Finding which row of a batch failed, so the engine can reject that row instead of bisecting.
 * COPY reports its line itself (postgres-errors.ts); these cover what it does not.
 */

/** How PostgreSQL prints a key value in an error detail (its output function). */
function keyText(value: Value): string {
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/**
 * Index of the first row whose key repeats an earlier row's, or -1. An upsert must see each key
 * once: otherwise one of the duplicates would win silently.
 */
export function duplicateKeyRow(batch: RowBatch, key: readonly string[]): number {
  const positions = key.map((k) => batch.columns.indexOf(k));
  const seen = new Set<string>();
  for (let r = 0; r < batch.rows.length; r++) {
    const row = batch.rows[r];
    const text = positions.map((p) => keyText(row[p])).join('\u0000');
    if (seen.has(text)) return r;
    seen.add(text);
  }
  return -1;
}

const KEY_DETAIL = /^Key \((.+)\)=\((.*)\) (?:already exists|is not present in table)/;

/**
 * Foreign keys are checked at the end of the statement and upserts run as INSERT … SELECT, so
 * those failures carry no COPY line, but their detail names the key: `Key (a, b)=(1, x) …`.
 * The first batch row with those values is a failing row (any row with them fails alike).
 */
export function withFailingRow(err: CrmError, batch: RowBatch): CrmError {
  const detail = err.cause instanceof DatabaseError ? err.cause.detail : undefined;
  const match = detail && err.location.row === undefined ? KEY_DETAIL.exec(detail) : null;
  if (!match) return err;
  const stored = batch.columns.map(storedName);
  const positions = match[1].split(', ').map((name) => stored.indexOf(name.replace(/^"(.*)"$/, '$1')));
  if (positions.includes(-1)) return err;
  const row = batch.rows.findIndex((r) => positions.map((p) => keyText(r[p])).join(', ') === match[2]);
  if (row < 0) return err;
  return new CrmError(err.code, err.message, {
    location: { ...err.location, row },
    retriable: err.retriable,
    cause: err.cause,
  });
}
