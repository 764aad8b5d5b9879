import type { ValueCount } from '../../schema/analysis-types.js';
import { nameKey, nameSimilarity } from './names.js';
import { VALUE_SYNONYMS } from './picklist-vocabulary.js';

export interface ValueSuggestion {
  readonly source: string;
  /** The target value, or undefined when none is close (left for the user: the row would reject). */
  readonly target?: string;
  readonly confidence: number;
  readonly reason: string;
  readonly count: number;
}

export interface PicklistSuggestion {
  readonly values: readonly ValueSuggestion[];
  /** Some source values differ from another only by case or blanks, and map alike. */
  readonly caseInsensitive: boolean;
}

/** A value with its case, blanks and punctuation folded away ("Closed Won " → "closedwon"). */
const fold = (value: string): string => nameKey(value);

const SYNONYM_TARGET = new Map<string, string>();
for (const [target, sources] of Object.entries(VALUE_SYNONYMS)) for (const s of sources) SYNONYM_TARGET.set(fold(s), target);

/**
 * A value map for every distinct source value (from the analysis' top values), to the target's
 * values: the same value, a documented synonym, or the nearest by spelling with a low confidence.
 * A value with nothing near is listed without a target, to be decided by a person.
 */
export function suggestPicklist(sourceValues: readonly ValueCount[], targetValues: readonly string[]): PicklistSuggestion {
  const targets = new Map(targetValues.map((t) => [fold(t), t]));
  const values = sourceValues
    .filter((v) => v.value.trim() !== '')
    .map((v): ValueSuggestion => {
      const key = fold(v.value);
      const same = targets.get(key);
      if (same !== undefined) return { source: v.value, target: same, confidence: 0.95, reason: 'same value', count: v.count };
      const synonym = SYNONYM_TARGET.get(key);
      if (synonym !== undefined && targetValues.includes(synonym))
        return { source: v.value, target: synonym, confidence: 0.85, reason: 'documented CRM value', count: v.count };
      const [best, similarity] = targetValues
        .map((t) => [t, nameSimilarity(v.value, t)] as const)
        .reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as readonly [string, number]);
      if (similarity >= 0.5)
        return {
          source: v.value,
          target: best,
          confidence: 0.4,
          reason: `nearest spelling (${similarity.toFixed(2)}): check`,
          count: v.count,
        };
      return { source: v.value, confidence: 0, reason: 'no target value is close: decide', count: v.count };
    });
  // Case-insensitive matching also catches tomorrow's variants, but only when the variants seen agree.
  const targetsByFolded = new Map<string, Set<string | undefined>>();
  for (const v of values) {
    const k = v.source.trim().toLowerCase();
    targetsByFolded.set(k, (targetsByFolded.get(k) ?? new Set()).add(v.target));
  }
  const variants = targetsByFolded.size < values.length;
  return { values, caseInsensitive: variants && [...targetsByFolded.values()].every((t) => t.size === 1) };
}
