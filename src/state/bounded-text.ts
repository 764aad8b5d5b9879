import { createHash } from 'node:crypto';

/**
 * Rejects keep what is needed to find and fix a row, not a copy of hostile input: a value longer
 * than `MAX_STORED_CHARS` is stored as its beginning, its length and its SHA-256 (the original
 * stays in the source, where the hash confirms it was found). This keeps the state database and
 * every reject listing, export and report small whatever a source field holds.
 */
export const MAX_STORED_CHARS = 4096;
const KEPT_CHARS = 1024;

/** The text itself when short enough, else `<first 1024 chars>… [N characters, sha256 …]`. */
export function boundedText(text: string): string {
  if (text.length <= MAX_STORED_CHARS) return text;
  const sha = createHash('sha256').update(text).digest('hex');
  return `${text.slice(0, KEPT_CHARS)}… [${text.length} characters, sha256 ${sha}]`;
}

/**
 * A reject's original record (JSON text of column → value) with each long string value bounded.
 * Text that is not a JSON object is bounded as a whole.
 */
export function boundedRecord(record: string): string {
  if (record.length <= MAX_STORED_CHARS) return record;
  try {
    const parsed: unknown = JSON.parse(record);
    if (parsed !== null && typeof parsed === 'object') {
      return JSON.stringify(parsed, (_key, v: unknown) => (typeof v === 'string' ? boundedText(v) : v));
    }
  } catch {
    // not JSON: bounded as text below
  }
  return boundedText(record);
}
