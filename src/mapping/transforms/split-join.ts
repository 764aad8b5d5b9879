import { z } from 'zod';
import { single, type TransformDefinition } from './transform.js';
import { textOf } from './value-text.js';

const splitParams = z.strictObject({
  separator: z.string().min(1),
  /** 0-based; negative counts from the end (-1 is the last part). Absent: the list of parts. */
  index: z.number().int().optional(),
  trim: z.boolean().default(true),
});

/**
 * `split` with an index picks one part (a missing part is NULL); without one it gives the list
 * of non-empty parts as a string[] (for a multiselect target or a later `join`). It does no
 * unescaping: a list whose values may contain the separator belongs to `multiselect`.
 */
export const split: TransformDefinition<z.output<typeof splitParams>> = {
  name: 'split',
  usage: 'split: { separator: ",", index?: 0, trim?: true }',
  params: splitParams,
  compile: ({ separator, index, trim }) => {
    const clean = trim ? (part: string) => part.trim() : (part: string) => part;
    if (index === undefined) {
      return single((value) => {
        const parts: string[] = [];
        for (const part of textOf('split', value).split(separator)) {
          const cleaned = clean(part);
          if (cleaned !== '') parts.push(cleaned);
        }
        return parts;
      });
    }
    return single((value) => {
      const parts = textOf('split', value).split(separator);
      const part = parts[index < 0 ? parts.length + index : index];
      return part === undefined ? null : clean(part);
    });
  },
};

const joinParams = z.strictObject({ separator: z.string().default(', ') }).default({ separator: ', ' });

/** Joins a list (e.g. from `split`) into text; a scalar is its own text. Lossy: see `join_multiselect`. */
export const join: TransformDefinition<z.output<typeof joinParams>> = {
  name: 'join',
  usage: 'join: { separator?: ", " }',
  params: joinParams,
  compile: ({ separator }) =>
    single((value) => (Array.isArray(value) ? (value as readonly string[]).join(separator) : textOf('join', value))),
};
