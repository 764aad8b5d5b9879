import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, Value } from '../../core/types.js';
import { parseJson, stringifyJson } from './json-value.js';

/**
 * One value as JSON text, in the form `typedValue` reads back exactly: bigints as strings (other
 * tools parse JSON numbers into doubles), decimals and dates as their canonical strings, binary
 * as hex, multiselect as an array, and json values embedded as JSON. Embedded JSON is re-parsed
 * and written compactly, so a malformed value cannot break the file and pretty-printed JSON
 * cannot break a line of NDJSON.
 */
export function jsonFragment(value: Value, type: CanonicalType | undefined, column: string): string {
  if (value === null) return 'null';
  if (type?.kind === 'json' && typeof value === 'string') {
    try {
      return stringifyJson(parseJson(value));
    } catch (err) {
      throw new CrmError('CRM_R4003', `the value of ${column} is not valid JSON`, {
        location: { connector: 'json', column },
        value,
        cause: err,
      });
    }
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; their canonical text keeps them.
      return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case 'bigint':
      return `"${value}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value instanceof Uint8Array
        ? `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}"`
        : JSON.stringify(value);
  }
}
