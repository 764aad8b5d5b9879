import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import { jsonParser, type Token } from 'stream-json/parser.js';

/**
 * A lossless in-memory JSON value. `JSON.parse` turns 9007199254740993 and
 * 1234567890123456789012345678.1234567890 into doubles (Node 20 has no reviver source text),
 * so records are assembled from stream-json tokens instead: numbers keep their source text,
 * objects keep their key order (a Map, so a `__proto__` key is just a key).
 */
export class JsonNumber {
  constructor(readonly source: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export function isJsonObject(value: JsonValue): value is JsonObject {
  return value instanceof Map;
}

/** Builds values from packed tokens (`streamValues: false`); `push` returns each completed top-level value. */
export class JsonAssembler {
  private readonly stack: (JsonValue[] | JsonObject)[] = [];
  private readonly keys: (string | undefined)[] = [];

  /** Nesting depth of the value being built; 0 between top-level values. */
  get depth(): number {
    return this.stack.length;
  }

  push(token: Token): { value: JsonValue } | undefined {
    switch (token.name) {
      case 'startObject':
        this.open(new Map());
        return undefined;
      case 'startArray':
        this.open([]);
        return undefined;
      case 'endObject':
      case 'endArray':
        this.keys.pop();
        return this.add(this.stack.pop() as JsonValue);
      case 'keyValue':
        this.keys[this.keys.length - 1] = token.value;
        return undefined;
      case 'stringValue':
        return this.add(token.value);
      case 'numberValue':
        return this.add(new JsonNumber(token.value));
      case 'nullValue':
        return this.add(null);
      case 'trueValue':
        return this.add(true);
      case 'falseValue':
        return this.add(false);
      default:
        return undefined;
    }
  }

  private open(container: JsonValue[] | JsonObject): void {
    this.stack.push(container);
    this.keys.push(undefined);
  }

  private add(value: JsonValue): { value: JsonValue } | undefined {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) return { value };
    if (Array.isArray(parent)) parent.push(value);
    else parent.set(this.keys[this.keys.length - 1] as string, value);
    return undefined;
  }
}

/** Passed to a tokenizer after the last chunk, to flush a trailing number. */
export const END_OF_INPUT = none;

/**
 * stream-json's synchronous tokenizer with packed tokens only: text chunks in, tokens out,
 * no stream and no per-token promise. (Its typings admit only text input, not the flush.)
 */
export function tokenizer(): (input: string | typeof END_OF_INPUT) => Token[] {
  const parser = jsonParser({ streamValues: false }) as unknown as (input: string | typeof END_OF_INPUT) => unknown;
  return (input) => {
    const output = parser(input);
    return isMany(output) ? (getManyValues(output) as Token[]) : [];
  };
}

/** Parses one complete JSON text losslessly; throws (stream-json's error) when it is malformed. */
export function parseJson(text: string): JsonValue {
  const tokenize = tokenizer();
  const assembler = new JsonAssembler();
  let result: { value: JsonValue } | undefined;
  for (const token of [...tokenize(text), ...tokenize(END_OF_INPUT)]) {
    if (result) throw new SyntaxError('unexpected text after the JSON value');
    result = assembler.push(token);
  }
  if (!result) throw new SyntaxError('incomplete JSON value');
  return result.value;
}

/** Compact JSON text; numbers are written with their source digits, keys in their order. */
export function stringifyJson(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.source;
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [key, v] of value) parts.push(`${JSON.stringify(key)}:${stringifyJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}
