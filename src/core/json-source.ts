/**
 * A JSON value with each number kept as its source text: `JSON.parse` reads numbers into a
 * double, so two documents that differ only beyond 2^53 (or in the 18th digit of a fraction)
 * would read alike. (JSON.parse's reviver sees the source text only from Node 21 on.)
 */
export type JsonNode = { readonly number: string } | string | boolean | null | readonly JsonNode[] | ReadonlyMap<string, JsonNode>;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A string token, loosely: JSON.parse of the token then rejects control characters and bad escapes. */
const STRING = /"(?:[^"\\]|\\.)*"/y;
const SPACE = /[ \t\n\r]*/y;
const WORDS: readonly [string, JsonNode][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/**
 * Parses strict JSON (what `JSON.parse` accepts) into a tree whose numbers are source texts and
 * whose objects are Maps (so a `__proto__` key is data, as with JSON.parse); a later duplicate
 * key wins, as with JSON.parse. Throws SyntaxError on anything else.
 */
export function parseJsonKeepingNumbers(text: string): JsonNode {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at position ${at}`);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at += found.length;
    return found;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, at)) fail();
    at += word.length;
  };
  const value = (): JsonNode => {
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      const members = new Map<string, JsonNode>();
      skip();
      if (text[at] === '}') {
        at++;
        return members;
      }
      for (;;) {
        skip();
        const key = token(STRING) ?? fail();
        skip();
        literal(':');
        members.set(JSON.parse(key) as string, value());
        skip();
        if (text[at] === '}') {
          at++;
          return members;
        }
        literal(',');
      }
    }
    if (c === '[') {
      at++;
      const items: JsonNode[] = [];
      skip();
      if (text[at] === ']') {
        at++;
        return items;
      }
      for (;;) {
        items.push(value());
        skip();
        if (text[at] === ']') {
          at++;
          return items;
        }
        literal(',');
      }
    }
    if (c === '"') return JSON.parse(token(STRING) ?? fail()) as string;
    for (const [word, meaning] of WORDS) {
      if (c === word[0]) {
        literal(word);
        return meaning;
      }
    }
    return { number: token(NUMBER) ?? fail() };
  };
  const result = value();
  skip();
  if (at !== text.length) fail();
  return result;
}
