/**
 * Secret redaction. Every message that can reach a user, a log, a report or the state store goes
 * through `redact`, so a password inside a connection URL or a token never leaks.
 *
 * Invariant: linear time in the text's length. Rejected values are hostile input (a CSV field can
 * hold 50 MB), and backtracking regular expressions over them took quadratic time, so the two
 * patterns below are matched by hand-written scans that visit each character a bounded number of
 * times.
 */

const secretValues = new Set<string>();

/** Registers a secret (a password, a token) so that it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask innocent text everywhere; they are also not real secrets.
  if (value && value.length >= 4) secretValues.add(value);
}

const MASK = '***';
/** Names whose `name=value` values are secrets: password=…, db_password=…, token=…, apikey=… */
const SECRET_NAME = /(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key)$/i;
/** The longest secret name above (`access_key`, `password`): how far back a name is looked at. */
const SECRET_NAME_TAIL = 10;

/** Whether `name` (a query parameter, a key) names a secret: `password`, `sslpassword`, `api_key`, … */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function redact(text: string): string {
  let out = maskKeyValues(maskUrlPasswords(text));
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

const isSpace = (c: string): boolean => /\s/.test(c);
const isSchemeChar = (c: string): boolean => /[a-z0-9+.-]/i.test(c);
const isNameChar = (c: string): boolean => /[a-z_-]/i.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);

/**
 * `scheme://user:password@host` → `scheme://user:***@host`. For each `://` the scheme is read
 * backwards and the user forwards (both stop at characters the other scans do not cross), and the
 * password runs to the next `@` or white space, found through a table built in one backward pass.
 */
function maskUrlPasswords(text: string): string {
  if (!text.includes('://')) return text;
  // nextStop[i]: index of the first '@' or white space at or after i (text.length if none).
  const nextStop = new Int32Array(text.length + 1);
  nextStop[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--) nextStop[i] = text[i] === '@' || isSpace(text[i]) ? i : nextStop[i + 1];
  let out = '';
  let copied = 0;
  let from = 0;
  for (let sep = text.indexOf('://', from); sep >= 0; sep = text.indexOf('://', from)) {
    from = sep + 3;
    let start = sep;
    while (start > copied && isSchemeChar(text[start - 1])) start--;
    while (start < sep && !/[a-z]/i.test(text[start])) start++;
    if (start === sep) continue;
    let colon = sep + 3;
    while (colon < text.length && !/[:/@\s]/.test(text[colon])) colon++;
    if (text[colon] !== ':') continue;
    const at = nextStop[colon + 1];
    if (at === colon + 1 || text[at] !== '@') continue;
    out += `${text.slice(copied, colon + 1)}${MASK}`;
    copied = at;
    from = at + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `name=value` with a secret name → `name=***`, the value running to the next `&` or white space.
 * The name is the run of letters, `_` and `-` before the `=`, and must begin at a word boundary.
 */
function maskKeyValues(text: string): string {
  let out = '';
  let copied = 0;
  let from = 0;
  for (let eq = text.indexOf('=', from); eq >= 0; eq = text.indexOf('=', from)) {
    from = eq + 1;
    let start = eq;
    // Never further back than the text already masked or copied: each character is read once.
    while (start > copied && isNameChar(text[start - 1])) start--;
    const tail = text.slice(Math.max(start, eq - SECRET_NAME_TAIL), eq);
    const secretName = SECRET_NAME.exec(tail);
    if (!secretName || !hasWordBoundary(text, start, eq - tail.length + secretName.index)) continue;
    let end = eq + 1;
    while (end < text.length && text[end] !== '&' && !isSpace(text[end])) end++;
    if (end === eq + 1) continue;
    out += `${text.slice(copied, eq + 1)}${MASK}`;
    copied = end;
    from = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Whether a word boundary (`\b`) lies at some position in [from, to]. */
function hasWordBoundary(text: string, from: number, to: number): boolean {
  for (let i = from; i <= to; i++) if (isWordChar(text[i - 1]) !== isWordChar(text[i])) return true;
  return false;
}
