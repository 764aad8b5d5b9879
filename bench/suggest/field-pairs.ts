import type { ProjectFile } from '../../src/mapping/project/project-schema.js';

/**
 * The field pairs of a mapping, for comparing a suggestion with a gold mapping:
 * `source table.column → target table.field`. A lookup counts as the looked-up column (with its
 * pick), a polymorphic reference as its id column with its `when`. Constants are not pairs:
 * nothing in the source suggests them.
 */
export function fieldPairs(project: ProjectFile): Set<string> {
  const pairs = new Set<string>();
  for (const object of Object.values(project.objects)) {
    for (const [target, raw] of Object.entries(object.fields)) {
      const field = typeof raw === 'string' ? { from: raw } : raw;
      const to = `${object.target.table}.${target}`;
      if (field.lookup) {
        const l = field.lookup;
        pairs.add(`${object.source.table} ⇢ ${l.through?.table ?? l.table}.${l.value}[${l.pick}] → ${to}`);
        continue;
      }
      const when = field.ref && typeof field.ref !== 'string' && field.ref.when ? `[${JSON.stringify(field.ref.when)}]` : '';
      const from = field.from === undefined ? [] : typeof field.from === 'string' ? [field.from] : field.from;
      for (const column of from) pairs.add(`${object.source.table}.${column}${when} → ${to}`);
    }
  }
  return pairs;
}

export interface Accuracy {
  readonly suggested: number;
  readonly gold: number;
  readonly correct: number;
  readonly precision: number;
  readonly recall: number;
  readonly wrong: readonly string[];
  readonly missed: readonly string[];
}

export function accuracy(suggested: Set<string>, gold: Set<string>): Accuracy {
  const correct = [...suggested].filter((p) => gold.has(p));
  return {
    suggested: suggested.size,
    gold: gold.size,
    correct: correct.length,
    precision: suggested.size === 0 ? 0 : correct.length / suggested.size,
    recall: gold.size === 0 ? 0 : correct.length / gold.size,
    wrong: [...suggested].filter((p) => !gold.has(p)),
    missed: [...gold].filter((p) => !suggested.has(p)),
  };
}
