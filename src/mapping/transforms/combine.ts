import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { literalValue } from './params.js';
import { multi, single, type TransformDefinition } from './transform.js';
import { isBlank, textOf } from './value-text.js';

/** Joins the non-blank values with `separator`; NULL when every value is blank. */
export function joinNonBlank(transform: string, values: readonly Value[], separator: string): Value {
  let out: string | null = null;
  for (const value of values) {
    if (isBlank(value)) continue;
    const text = textOf(transform, value);
    out = out === null ? text : out + separator + text;
  }
  return out;
}

const concatParams = z.strictObject({ separator: z.string().default('') }).default({ separator: '' });

export const concat: TransformDefinition<z.output<typeof concatParams>> = {
  name: 'concat',
  usage: 'concat: { separator?: " " }   (first step; skips NULL and blank parts)',
  params: concatParams,
  multiInput: true,
  compile: ({ separator }) => multi((values) => joinNonBlank('concat', values, separator)),
};

export const coalesce: TransformDefinition<undefined | Record<string, never>> = {
  name: 'coalesce',
  usage: 'coalesce   (first step; the first non-blank of the from columns)',
  params: z.strictObject({}).optional(),
  multiInput: true,
  handlesNull: true,
  compile: () =>
    multi((values) => {
      for (const value of values) if (!isBlank(value)) return value;
      return null;
    }),
};

const defaultParams = z.union([literalValue, z.strictObject({ value: literalValue }).transform((p) => p.value)]);

export const defaultValue: TransformDefinition<z.output<typeof defaultParams>> = {
  name: 'default',
  usage: 'default: "value"   (or default: { value: "value" }); used when the value is NULL or blank',
  params: defaultParams,
  handlesNull: true,
  compile: (fallback) => single((value) => (isBlank(value) ? fallback : value)),
};

/** A parsed template: literal text and input positions, alternating, built once per run. */
type TemplatePart = string | number;

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}/g;

function parseTemplate(format: string, inputNames: readonly string[]): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let last = 0;
  for (const match of format.matchAll(PLACEHOLDER)) {
    literal += format.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[1] === undefined) {
      literal += match[0][0]; // `{{` or `}}` is an escaped brace
      continue;
    }
    const ref = match[1].trim();
    const index = /^\d+$/.test(ref) ? Number(ref) : inputNames.indexOf(ref);
    if (index < 0 || (inputNames.length > 0 && index >= inputNames.length)) {
      const known = inputNames.length > 0 ? inputNames.join(', ') : 'positions {0}, {1}, …';
      throw new CrmError('CRM_M5001', `template placeholder {${ref}} names no from column (expected ${known})`);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(index);
  }
  literal += format.slice(last);
  if (literal !== '') parts.push(literal);
  return parts;
}

const templateParams = z.union([z.string(), z.strictObject({ format: z.string() }).transform((p) => p.format)]);

/**
 * `"{0} {1}"` by position or `"{first_name} {last_name}"` by from-column name; `{{` and `}}`
 * are literal braces. A NULL input renders as nothing; when every input is NULL the result is NULL.
 */
export const template: TransformDefinition<z.output<typeof templateParams>> = {
  name: 'template',
  usage: 'template: "{first_name} {last_name}"   (or template: { format: "{0} {1}" }; first step)',
  params: templateParams,
  multiInput: true,
  compile: (format, ctx) => {
    const parts = parseTemplate(format, ctx.inputNames);
    return multi((values) => {
      let anyValue = false;
      for (const value of values) anyValue ||= value !== null;
      if (!anyValue) return null;
      let out = '';
      for (const part of parts) {
        if (typeof part === 'string') out += part;
        else {
          const value = values[part] ?? null;
          if (value !== null) out += textOf('template', value);
        }
      }
      return out;
    });
  },
};
