import { z } from 'zod';
import type { CanonicalType } from '../../core/types.js';

/**
 * A column whose canonical type PostgreSQL cannot express (enum as text, multiselect values)
 * carries `crmbridge:<json of the CanonicalType>` as the first line of its comment; any user
 * comment follows on the next lines. Introspection reads it back and it overrides the kind.
 */
const PREFIX = 'crmbridge:';

const canonicalTypeSchema: z.ZodType<CanonicalType> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), length: z.number().int().positive().optional() }),
  z.object({ kind: z.literal('integer') }),
  z.object({ kind: z.literal('bigint') }),
  z.object({ kind: z.literal('decimal'), precision: z.number().int().optional(), scale: z.number().int().optional() }),
  z.object({ kind: z.literal('float') }),
  z.object({ kind: z.literal('boolean') }),
  z.object({ kind: z.literal('date') }),
  z.object({ kind: z.literal('time') }),
  z.object({ kind: z.literal('timestamp') }),
  z.object({ kind: z.literal('timestamptz') }),
  z.object({ kind: z.literal('uuid') }),
  z.object({ kind: z.literal('json') }),
  z.object({ kind: z.literal('binary'), length: z.number().int().positive().optional() }),
  z.object({ kind: z.literal('enum'), values: z.array(z.string()) }),
  z.object({ kind: z.literal('multiselect'), values: z.array(z.string()).optional() }),
]);

export function typeComment(type: CanonicalType | undefined, userComment: string | undefined): string | undefined {
  if (!type) return userComment;
  const marker = `${PREFIX}${JSON.stringify(type)}`;
  return userComment ? `${marker}\n${userComment}` : marker;
}

/** Splits a column comment into the recorded canonical type (when valid) and the user's comment. */
export function parseTypeComment(comment: string | null): { type?: CanonicalType; comment?: string } {
  if (comment === null) return {};
  if (!comment.startsWith(PREFIX)) return { comment };
  const newline = comment.indexOf('\n');
  const markerText = comment.slice(PREFIX.length, newline < 0 ? undefined : newline);
  const rest = newline < 0 ? undefined : comment.slice(newline + 1);
  let parsed: unknown;
  try {
    // `crmbridge:multiselect` (a bare kind, as the architecture notes spell it) is accepted too.
    parsed = markerText.startsWith('{') ? JSON.parse(markerText) : { kind: markerText };
  } catch {
    // A hand-edited, broken marker: keep the text as a plain comment rather than fail.
    return { comment };
  }
  const result = canonicalTypeSchema.safeParse(parsed);
  if (!result.success) return { comment };
  return rest ? { type: result.data, comment: rest } : { type: result.data };
}
