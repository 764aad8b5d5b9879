import type { CanonicalType } from '../../core/types.js';
import type { ColumnProfile } from '../../schema/analysis-types.js';
import type { SemanticKind } from '../models/model-types.js';
import { nameKey, nameSimilarity, nameWords } from './names.js';
import type { TargetField } from './target-catalog.js';
import { valueKind } from './value-shape.js';

/** A source column an object reads: from its base table or a joined side table. */
export interface SourceColumn {
  readonly table: string;
  readonly name: string;
  readonly type: CanonicalType;
  readonly profile?: ColumnProfile;
}

export interface Evidence {
  readonly confidence: number;
  readonly reason: string;
}

/** Leading words that qualify the primary address or e-mail without changing the field ("billing_address_city" → city). */
const PRIMARY_PREFIX_WORDS: ReadonlySet<string> = new Set(['billing', 'primary', 'mailing', 'address', 'main', 'work', 'business']);
/** Sugar's custom fields end in `_c`; Salesforce's in `__c`. */
const CUSTOM_SUFFIX = 'c';

/** Name evidence, strongest first; the first rule that holds gives the score. */
const NAME_RULES: readonly ((column: string, field: TargetField) => Evidence | undefined)[] = [
  (column, field) => (nameKey(column) === nameKey(field.name) ? { confidence: 0.95, reason: 'same name' } : undefined),
  (column, field) => (field.keys.has(nameKey(column)) ? { confidence: 0.9, reason: 'known synonym in CRM vocabularies' } : undefined),
  (column, field) => {
    const words = nameWords(column);
    if (words.length < 2 || words[words.length - 1] !== CUSTOM_SUFFIX) return undefined;
    return field.keys.has(words.slice(0, -1).join('')) ? { confidence: 0.85, reason: 'custom field of the same name' } : undefined;
  },
  (column, field) => {
    const words = nameWords(column);
    let i = 0;
    while (i < words.length - 1 && PRIMARY_PREFIX_WORDS.has(words[i])) i++;
    if (i === 0) return undefined;
    return field.keys.has(words.slice(i).join(''))
      ? { confidence: 0.75, reason: `same name after the prefix "${words.slice(0, i).join('_')}_"` }
      : undefined;
  },
  (column, field) => {
    const best = Math.max(nameSimilarity(column, field.name), ...[...field.keys].map((k) => nameSimilarity(column, k)));
    // Edit similarity alone is a weak signal: it never reaches the acceptance threshold by itself.
    return best >= 0.8
      ? { confidence: Math.round((0.3 + 0.28 * best) * 100) / 100, reason: `similar name (${best.toFixed(2)})` }
      : undefined;
  },
];

const share = (profile: ColumnProfile | undefined, pattern: string): number =>
  profile?.patterns.find((p) => p.name === pattern)?.share ?? 0;
const hasData = (column: SourceColumn): boolean =>
  column.profile !== undefined && column.profile.distinctCount > (column.profile.emptyCount > 0 ? 1 : 0);
const kindOf = (column: SourceColumn): string => valueKind(column);

/**
 * What the values say about a pairing, per target kind: a bonus when they look like the kind, a
 * penalty when a column with data clearly is not (a "phone" column of free text).
 */
type ValueRule = (column: SourceColumn) => { readonly adjust: number; readonly reason?: string };
const byPattern =
  (pattern: string, label: string, fits: number, misfit: number): ValueRule =>
  (column) => {
    const s = share(column.profile, pattern);
    if (s >= fits) return { adjust: 0.03, reason: `${Math.round(s * 100)}% of the values are ${label}` };
    if (hasData(column) && s < misfit) return { adjust: -0.35, reason: `the values are not ${label}` };
    return { adjust: 0 };
  };
const byKinds =
  (kinds: readonly string[], label: string): ValueRule =>
  (column) => {
    if (kinds.includes(kindOf(column))) return { adjust: 0.03 };
    return hasData(column) ? { adjust: -0.3, reason: `the values are not ${label}` } : { adjust: 0 };
  };

const VALUE_RULES: Partial<Record<SemanticKind, ValueRule>> = {
  email: byPattern('email', 'e-mail addresses', 0.8, 0.3),
  phone: byPattern('phone', 'phone numbers', 0.6, 0.2),
  mobile_phone: byPattern('phone', 'phone numbers', 0.6, 0.2),
  fax: byPattern('phone', 'phone numbers', 0.6, 0.2),
  url: byPattern('url', 'URLs', 0.6, 0.1),
  date: byKinds(['date', 'timestamp', 'timestamptz'], 'dates'),
  datetime: byKinds(['timestamp', 'timestamptz', 'date'], 'date-times'),
  created_at: byKinds(['timestamp', 'timestamptz', 'date'], 'date-times'),
  updated_at: byKinds(['timestamp', 'timestamptz', 'date'], 'date-times'),
  money_amount: (column) => {
    if (kindOf(column) !== 'text') return byKinds(['decimal', 'integer', 'bigint', 'float'], 'amounts')(column);
    // Free text ("12M", "~5 million") would reject row by row: say so rather than accept it.
    const readable = ['integer', 'decimal', 'thousands', 'currency'].reduce((sum, p) => sum + share(column.profile, p), 0);
    return readable >= 0.9
      ? { adjust: 0.03 }
      : { adjust: -0.4, reason: `only ${Math.round(Math.min(1, readable) * 100)}% of the values read as amounts` };
  },
  probability: byKinds(['integer', 'decimal', 'float'], 'numbers'),
  reference: byKinds(['uuid', 'text', 'integer', 'bigint'], 'keys'),
};

/** Kinds a column can be matched to by its values alone, when its name says nothing. */
const VALUE_ONLY: readonly (readonly [SemanticKind, string, string])[] = [
  ['email', 'email', 'e-mail addresses'],
  ['url', 'url', 'URLs'],
];

export function scoreField(column: SourceColumn, field: TargetField): Evidence | undefined {
  let evidence: Evidence | undefined;
  for (const rule of NAME_RULES) {
    evidence = rule(column.name, field);
    if (evidence) break;
  }
  if (!evidence) {
    const valueOnly = VALUE_ONLY.find(([kind, pattern]) => field.kind === kind && share(column.profile, pattern) >= 0.9);
    return valueOnly ? { confidence: 0.62, reason: `the values are ${valueOnly[2]}` } : undefined;
  }
  const values = field.kind ? VALUE_RULES[field.kind]?.(column) : undefined;
  if (!values || values.adjust === 0) return evidence;
  const confidence = Math.round(Math.min(0.98, Math.max(0, evidence.confidence + values.adjust)) * 100) / 100;
  return { confidence, reason: values.reason ? `${evidence.reason}; ${values.reason}` : evidence.reason };
}
