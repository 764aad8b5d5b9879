import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { literalValue } from './params.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { textOf } from './value-text.js';

const picklistParams = z.strictObject({
  map: z.record(z.string(), literalValue),
  /** Declared (even as null) means unmapped values take it; absent means they reject. */
  default: literalValue.optional(),
  case_insensitive: z.boolean().default(false),
  /**
   * `reject` states that values outside the map are meant to reject their rows (e.g. until the
   * business decides). Behaviour is the same as without it; pre-flight then reports such values
   * as a warning instead of stopping the run.
   */
  unmapped: z.literal('reject').optional(),
});

type PicklistParams = z.output<typeof picklistParams>;

/** Sentinel for a reverse-map entry that several source values share. */
const AMBIGUOUS = Symbol('ambiguous');

function buildLookup(entries: Iterable<readonly [string, Value]>, keyOf: (text: string) => string): Map<string, Value> {
  const lookup = new Map<string, Value>();
  const sourceOf = new Map<string, string>();
  for (const [source, target] of entries) {
    const key = keyOf(source);
    const earlier = sourceOf.get(key);
    if (earlier !== undefined && lookup.get(key) !== target) {
      throw new CrmError(
        'CRM_M5001',
        `map keys "${earlier}" and "${source}" are the same value once trimmed/case-folded but map differently`,
      );
    }
    lookup.set(key, target);
    sourceOf.set(key, source);
  }
  return lookup;
}

function keyFolder(params: PicklistParams): (text: string) => string {
  return params.case_insensitive ? (text) => text.trim().toLowerCase() : (text) => text.trim();
}

/**
 * Maps source values through an explicit table. The input is trimmed (and case-folded with
 * `case_insensitive`). A value not in the map rejects the row (CRM_R4011, `unmapped_value`)
 * unless a `default` is declared: a value never passes through unmapped.
 */
export const picklist: TransformDefinition<PicklistParams> = {
  name: 'picklist',
  usage: 'picklist: { map: { "Closed Won": won }, default?: other, case_insensitive?: false, unmapped?: reject }',
  params: picklistParams,
  compile: (params) => {
    const fold = keyFolder(params);
    const lookup = buildLookup(Object.entries(params.map), fold);
    const hasDefault = params.default !== undefined;
    const fallback = params.default ?? null;
    return single((value) => {
      const mapped = lookup.get(fold(textOf('picklist', value)));
      if (mapped !== undefined) return mapped;
      if (hasDefault) return fallback;
      throw new TransformError('picklist', 'unmapped_value', value);
    });
  },
  /** Target → source; a target that several sources share cannot be inverted and rejects. */
  inverse: (params) => {
    const fold = keyFolder(params);
    const reverse = new Map<string, string | typeof AMBIGUOUS>();
    for (const [source, target] of Object.entries(params.map)) {
      if (target === null) continue;
      const key = fold(String(target));
      reverse.set(key, reverse.has(key) ? AMBIGUOUS : source);
    }
    return single((value) => {
      const source = reverse.get(fold(textOf('picklist', value)));
      if (source === AMBIGUOUS) throw new TransformError('picklist', 'ambiguous_inverse', value, 'several source values map to it');
      if (source === undefined) throw new TransformError('picklist', 'unmapped_value', value);
      return source;
    });
  },
};
