/**
 * Secret redaction. Every message that can reach a user, a log, a report or the state store goes
 * through `redact`, so a password inside a connection URL or a token never leaks.
 */

const secretValues = new Set<string>();

/** Registers a secret (a password, a token) so that it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask innocent text everywhere; they are also not real secrets.
  if (value && value.length >= 4) secretValues.add(value);
}

// scheme://user:password@host → scheme://user:***@host
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi;
// password=…, db_password=…, token=…, apikey=… in query strings and key=value text
const KEY_VALUE = /\b([a-z_-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key))=([^&\s]+)/gi;

export function redact(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1***$3').replace(KEY_VALUE, '$1=***');
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}
