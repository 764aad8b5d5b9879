import type { TableProfile } from '../../schema/analysis-types.js';
import { nameKey, tableWords } from './names.js';
import { NON_OBJECT_WORDS } from './object-vocabulary.js';
import type { TargetTable } from './target-catalog.js';

export interface ObjectMatch {
  readonly source: TableProfile;
  readonly target: TargetTable;
  readonly confidence: number;
  readonly reason: string;
}

/**
 * The target table of a source table: the same name (0.95), or a word of the source table's
 * name that the target is known by in the CRM vocabularies (0.85): accounts → companies,
 * Potentials → opportunities, hubspot-deals-export.csv → opportunities.
 */
export function matchObject(source: TableProfile, targets: readonly TargetTable[]): ObjectMatch | undefined {
  const words = tableWords(source.name);
  if (words.some((w) => NON_OBJECT_WORDS.has(w))) return undefined;
  const same = targets.find((t) => nameKey(t.name) === nameKey(source.name) || tableWords(t.name).join() === words.join());
  if (same) return { source, target: same, confidence: 0.95, reason: 'same name' };
  for (const word of words) {
    const target = targets.find((t) => t.words.has(word));
    if (target) return { source, target, confidence: 0.85, reason: `"${word}" is a ${target.name} object in CRM vocabularies` };
  }
  return undefined;
}
