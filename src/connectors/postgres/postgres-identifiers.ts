import { escapeIdentifier } from 'pg';
import { shortenIdentifier } from '../../core/identifiers.js';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

/**
 * The name as stored: names over 63 bytes are shortened deterministically, so every statement
 * (DDL, COPY, reads) that names a long column or table reaches the same identifier.
 */
export function storedName(name: string): string {
  return shortenIdentifier(name, PG_MAX_IDENTIFIER_BYTES);
}

/** A quoted identifier, shortened first; never interpolate a name into SQL any other way. */
export function ident(name: string): string {
  return escapeIdentifier(storedName(name));
}

export function identList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}
