import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

/*
 * Multi-select text ↔ string[]. Formats:
 * - `separated`: `a;b` with a declared separator. Escaping rule: the escape character (default
 *   `\`) before the separator's first character or before itself makes that character literal
 *   (`a\;b` is the one value "a;b", `a\\` is "a\"); any other escape character is literal, so
 *   legacy `C:\dir` reads unchanged. `join_multiselect` escapes every escape character and every
 *   occurrence of the separator's first character, so no value can form a separator, not even
 *   with its neighbour across a multi-character separator (`|` then `||`): every value survives
 *   a round trip.
 *   With `escape: none` a value containing the separator's first character cannot be written and rejects.
 * - `sugar`: SugarCRM's `^a^,^b^`. It has no escape: a value that would read back differently
 *   (one containing `^,^`, starting with `,^`, ending with `^,`, or just `,`) rejects on write.
 * - `json`: a JSON array of strings.
 * Values are trimmed (unless `trim: false`), empty ones dropped, duplicates dropped (a
 * multi-select is a set), and with `values` every value must be a declared option.
 */

const multiselectParams = z
  .strictObject({
    format: z.enum(['separated', 'sugar', 'json']).default('separated'),
    separator: z.string().min(1).default(';'),
    escape: z.union([z.literal('none'), z.string().length(1)]).default('\\'),
    trim: z.boolean().default(true),
    values: z.array(z.string()).optional(),
  })
  .default({ format: 'separated', separator: ';', escape: '\\', trim: true });

type MultiselectParams = z.output<typeof multiselectParams>;

interface Codec {
  split(text: string, raw: Value, transform: string): string[];
  join(items: readonly string[], raw: Value, transform: string): string;
}

function separatedCodec(separator: string, escapeChar: string | undefined): Codec {
  if (escapeChar !== undefined && separator.includes(escapeChar)) {
    throw new CrmError('CRM_M5001', `the separator "${separator}" cannot contain the escape character "${escapeChar}"`);
  }
  const lead = separator[0];
  const escapedEscape = escapeChar === undefined ? '' : escapeChar + escapeChar;
  const escapedLead = escapeChar === undefined ? '' : escapeChar + lead;
  return {
    split(text) {
      if (escapeChar === undefined || !text.includes(escapeChar)) return text.split(separator);
      const items: string[] = [];
      let item = '';
      let i = 0;
      while (i < text.length) {
        if (text[i] === escapeChar && text[i + 1] === escapeChar) {
          item += escapeChar;
          i += 2;
        } else if (text[i] === escapeChar && text[i + 1] === lead) {
          item += lead;
          i += 2;
        } else if (text.startsWith(separator, i)) {
          items.push(item);
          item = '';
          i += separator.length;
        } else {
          item += text[i];
          i++;
        }
      }
      items.push(item);
      return items;
    },
    join(items, raw, transform) {
      if (escapeChar === undefined) {
        // Without the separator's first character no value can start a separator, even with its neighbour.
        for (const item of items) {
          if (item.includes(lead)) throw new TransformError(transform, 'unrepresentable_value', raw, `"${item}" contains "${lead}"`);
        }
        return items.join(separator);
      }
      let out = '';
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out += separator;
        out += items[i].replaceAll(escapeChar, escapedEscape).replaceAll(lead, escapedLead);
      }
      return out;
    },
  };
}

const SUGAR_SEPARATOR = '^,^';

const sugarCodec: Codec = {
  split(text, raw, transform) {
    if (text === '' || text === '^^') return [];
    if (text.length < 2 || !text.startsWith('^') || !text.endsWith('^')) {
      throw new TransformError(transform, 'invalid_multiselect', raw, 'expected ^a^,^b^');
    }
    return text.slice(1, -1).split(SUGAR_SEPARATOR);
  },
  join(items, raw, transform) {
    if (items.length === 0) return '';
    for (const item of items) {
      if (item === ',' || item.includes(SUGAR_SEPARATOR) || item.startsWith(',^') || item.endsWith('^,')) {
        throw new TransformError(transform, 'unrepresentable_value', raw, `"${item}" cannot be written in ^a^,^b^ form`);
      }
    }
    return `^${items.join(SUGAR_SEPARATOR)}^`;
  },
};

const jsonCodec: Codec = {
  split(text, raw, transform) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TransformError(transform, 'invalid_multiselect', raw, 'expected a JSON array of strings');
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw new TransformError(transform, 'invalid_multiselect', raw, 'expected a JSON array of strings');
    }
    return parsed;
  },
  join: (items) => JSON.stringify(items),
};

function codecOf(params: MultiselectParams): Codec {
  if (params.format === 'sugar') return sugarCodec;
  if (params.format === 'json') return jsonCodec;
  return separatedCodec(params.separator, params.escape === 'none' ? undefined : params.escape);
}

/** Trims (optionally), drops empties and duplicates, and checks declared options. */
function itemCleaner(params: MultiselectParams, transform: string): (items: readonly string[], raw: Value) => string[] {
  const allowed = params.values ? new Set(params.values) : undefined;
  const trim = params.trim;
  return (items, raw) => {
    const out: string[] = [];
    for (const item of items) {
      if (typeof item !== 'string') throw new TransformError(transform, 'not_text', raw, 'expected a list of strings');
      const value = trim ? item.trim() : item;
      if (value === '' || out.includes(value)) continue;
      if (allowed && !allowed.has(value)) throw new TransformError(transform, 'unknown_option', raw, `"${value}" is not a declared option`);
      out.push(value);
    }
    return out;
  };
}

function splitter(params: MultiselectParams, transform: string) {
  const codec = codecOf(params);
  const clean = itemCleaner(params, transform);
  return single((value) => {
    if (Array.isArray(value)) return clean(value as readonly string[], value);
    const text = textOf(transform, value);
    return clean(isBlankText(text) ? [] : codec.split(text, value, transform), value);
  });
}

function joiner(params: MultiselectParams, transform: string) {
  const codec = codecOf(params);
  const clean = itemCleaner(params, transform);
  return single((value) => {
    const items = Array.isArray(value) ? (value as readonly string[]) : [textOf(transform, value)];
    for (const item of items) {
      if (item === '') throw new TransformError(transform, 'unrepresentable_value', value, 'an empty value cannot be written');
    }
    return codec.join(clean(items, value), value, transform);
  });
}

const USAGE = '{ format?: separated | sugar | json, separator?: ";", escape?: "\\\\" | none, trim?: true, values?: [a, b] }';

export const multiselect: TransformDefinition<MultiselectParams> = {
  name: 'multiselect',
  usage: `multiselect: ${USAGE}`,
  params: multiselectParams,
  compile: (params) => splitter(params, 'multiselect'),
  inverse: (params) => joiner(params, 'multiselect'),
};

export const joinMultiselect: TransformDefinition<MultiselectParams> = {
  name: 'join_multiselect',
  usage: `join_multiselect: ${USAGE}`,
  params: multiselectParams,
  compile: (params) => joiner(params, 'join_multiselect'),
  inverse: (params) => splitter(params, 'join_multiselect'),
};
