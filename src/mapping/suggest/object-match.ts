import type { TableProfile } from '../../schema/analysis-types.js';
import { nameKey, tableWords } from './names.js';
import { NON_OBJECT_WORDS } from './object-vocabulary.js';
import type { TargetTable } from './target-catalog.js';

export interface ObjectMatch {
  readonly source: TableProfile;
  readonly target: TargetTable;
  readonly confidence: number;
  readonly reason: string;
  /** The source rows this object takes, when a table holds two kinds (a source-SQL filter), and the column it reads. */
  readonly filter?: string;
  readonly filterColumn?: string;
  /** The column referencing the same table that is this object's link to the other kind (a person's company). */
  readonly partyParent?: string;
}

/** Boolean columns that tell organisations from persons in one table (Odoo's res_partner.is_company). */
const ORGANISATION_FLAGS: readonly string[] = ['is_company', 'is_organization', 'is_organisation'];

/**
 * A table holding both companies and people, told apart by a boolean flag: one object for each,
 * filtered by the flag. A person's reference to a row of the same table (`parent_id`) is their
 * company. Undefined when the table has no such flag or the target lacks either object.
 */
export function splitParties(
  source: TableProfile,
  targets: readonly TargetTable[],
  selfReferences: readonly string[],
): readonly ObjectMatch[] | undefined {
  const flag = source.columns.find((c) => c.type.kind === 'boolean' && ORGANISATION_FLAGS.includes(c.name));
  const companies = targets.find((t) => t.words.has('company'));
  const people = targets.find((t) => t.words.has('person') && t !== companies);
  if (!flag || !companies || !people) return undefined;
  const reason = `${flag.name} tells companies from people in ${source.name}`;
  return [
    { source, target: companies, confidence: 0.85, reason, filter: flag.name, filterColumn: flag.name },
    {
      source,
      target: people,
      confidence: 0.85,
      reason,
      filter: `NOT ${flag.name}`,
      filterColumn: flag.name,
      ...(selfReferences.length === 1 ? { partyParent: selfReferences[0] } : {}),
    },
  ];
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
