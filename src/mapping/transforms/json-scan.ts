import { CrmError } from '../../core/errors/crm-error.js';

/**
 * Locates a value inside JSON text by a simple path and returns its exact source slice, so a
 * number such as 12345678901234567890.123 keeps every digit (Node 20's `JSON.parse` has no
 * access to number source text). The text must already be valid JSON (checked by the caller
 * with `JSON.parse`), which is what lets this scanner skip values by counting brackets.
 */

export type PathSegment = string | number;

const SEGMENT = /^(?:\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/** `$.a.b[0]`, `$['odd key'].x`, `$` (the whole document). */
export function parsePath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new CrmError('CRM_M5001', `JSON path "${path}" must start with $`);
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest !== '') {
    const m = SEGMENT.exec(rest);
    if (!m) throw new CrmError('CRM_M5001', `JSON path "${path}": cannot read "${rest}" (expected .name, [0] or ['name'])`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push((m[3] ?? m[4]).replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return segments;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End (exclusive) of the string starting at the quote at `i`. */
function skipString(text: string, i: number): number {
  i++;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** End (exclusive) of the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    do {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      i++;
    } while (depth > 0);
    return i;
  }
  while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
  return i;
}

/** [start, end) of the value at `path`, or undefined when the path leads nowhere. */
export function locate(text: string, path: readonly PathSegment[]): readonly [number, number] | undefined {
  let i = skipSpace(text, 0);
  for (const segment of path) {
    const open = text[i];
    if (typeof segment === 'number' ? open !== '[' : open !== '{') return undefined;
    i = skipSpace(text, i + 1);
    let found = false;
    let index = 0;
    while (text[i] !== '}' && text[i] !== ']') {
      if (typeof segment === 'string') {
        const keyEnd = skipString(text, i);
        const rawKey = text.slice(i + 1, keyEnd - 1);
        const key = rawKey.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : rawKey;
        i = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
        found = key === segment;
      } else {
        found = index++ === segment;
      }
      if (found) break;
      i = skipSpace(text, skipValue(text, i));
      if (text[i] === ',') i = skipSpace(text, i + 1);
    }
    if (!found) return undefined;
  }
  return [i, skipValue(text, i)];
}
