import { distance } from 'fastest-levenshtein';
import { singularize } from '../../schema/naming.js';

/**
 * Identifier words, whatever the spelling: snake_case, camelCase, PascalCase, "Human Header",
 * kebab-case and dotted all give the same lower-case words ("BillingCity", "billing_city" and
 * "Billing City" → billing, city). Brackets and punctuation are dropped ("Probability (%)").
 */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** The spelling-free key of a name: its words run together ("postal_code" and "PostalCode" → "postalcode"). */
export function nameKey(name: string): string {
  return nameWords(name).join('');
}

/** The words of a table name in singular form (`accounts` → account, `Opportunity.csv` → opportunity). */
export function tableWords(name: string): string[] {
  return nameWords(name.replace(/\.(csv|tsv|json|ndjson|jsonl)$/i, '')).map(singularize);
}

/** Normalised edit similarity of two names' keys, 0..1 (1 = the same key). */
export function nameSimilarity(a: string, b: string): number {
  const x = nameKey(a);
  const y = nameKey(b);
  if (x === '' || y === '') return 0;
  return 1 - distance(x, y) / Math.max(x.length, y.length);
}
