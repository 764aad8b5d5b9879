import { ERROR_CODES, type ErrorCode } from './codes.js';
import { redact } from './redact.js';

/** Where an error happened. Every field is optional; give all that are known. */
export interface ErrorLocation {
  readonly connector?: string;
  readonly table?: string;
  readonly column?: string;
  /** The source key of the row, as text. */
  readonly key?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column_number?: number;
  readonly object?: string;
  /** 0-based index of the failing row within a written batch, when the target reports it. */
  readonly row?: number;
}

export interface CrmErrorOptions {
  readonly location?: ErrorLocation;
  /** The offending value, shown (redacted, shortened) in the message. */
  readonly value?: unknown;
  /** True for errors worth retrying (network blips, deadlocks); false for permanent ones. */
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

/**
 * A user-facing error: a catalog code, a one-line message and a location. The CLI prints
 * `format()` and no stack trace. The message is redacted at construction, so even code that
 * prints `err.message` directly cannot leak a secret.
 */
export class CrmError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly retriable: boolean;
  readonly value?: unknown;

  constructor(code: ErrorCode, detail: string, options: CrmErrorOptions = {}) {
    super(redact(detail), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrmError';
    this.code = code;
    this.location = options.location ?? {};
    this.retriable = options.retriable ?? false;
    if (options.value !== undefined) this.value = options.value;
  }

  /** `[CRM_S3001] Table not found: contacts (connector postgres, table contacts). Check the …` */
  format(): string {
    const entry = ERROR_CODES[this.code];
    const where = formatLocation(this.location);
    const value = this.value === undefined ? '' : ` (value: ${shorten(redact(String(this.value)))})`;
    return `[${this.code}] ${entry.title}: ${this.message}${value}${where ? ` at ${where}` : ''}. ${entry.fix}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      title: ERROR_CODES[this.code].title,
      message: this.message,
      location: this.location,
      fix: ERROR_CODES[this.code].fix,
      ...(this.value === undefined ? {} : { value: redact(String(this.value)) }),
    };
  }
}

export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.connector) parts.push(`connector ${loc.connector}`);
  if (loc.object) parts.push(`object ${loc.object}`);
  if (loc.table) parts.push(`table ${loc.table}`);
  if (loc.column) parts.push(`column ${loc.column}`);
  if (loc.key) parts.push(`key ${loc.key}`);
  if (loc.row !== undefined) parts.push(`batch row ${loc.row}`);
  if (loc.file) {
    const pos = loc.line === undefined ? '' : `:${loc.line}${loc.column_number === undefined ? '' : `:${loc.column_number}`}`;
    parts.push(`${redact(loc.file)}${pos}`);
  }
  return parts.join(', ');
}

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function isCrmError(err: unknown): err is CrmError {
  return err instanceof CrmError;
}
