import type { CanonicalKind } from '../../core/types.js';
import type { SemanticKind } from '../models/model-types.js';
import type { SourceColumn } from './field-score.js';
import type { TargetField } from './target-catalog.js';
import { transformFormats, valueFormat } from './value-shape.js';

type Step = string | Readonly<Record<string, unknown>>;
type StepRule = (column: SourceColumn, field: TargetField) => readonly Step[];

const sourceKind = (c: SourceColumn): CanonicalKind => c.type.kind;
const textFormat = (c: SourceColumn): string | undefined => valueFormat(c);
const isSugarMultienum = (c: SourceColumn): boolean => (c.profile?.topValues ?? []).some((v) => /^\^.*\^$/.test(v.value));

/** Words for yes and no beyond the boolean transform's defaults (Sugar's user status, checkbox exports). */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  active: true,
  inactive: false,
  enabled: true,
  disabled: false,
  checked: true,
  unchecked: false,
};
const DEFAULT_SPELLINGS = new Set(['true', 't', 'yes', 'y', '1', 'on', 'false', 'f', 'no', 'n', '0', 'off']);

/** `boolean`, with the column's own spellings declared when they are not the defaults (Active/Inactive). */
function booleanSteps(c: SourceColumn): readonly Step[] {
  const seen = (c.profile?.topValues ?? []).map((v) => v.value.trim()).filter((v) => v !== '');
  if (seen.every((v) => DEFAULT_SPELLINGS.has(v.toLowerCase()))) return ['boolean'];
  const spelled = (meaning: boolean) => seen.filter((v) => BOOLEAN_WORDS[v.toLowerCase()] === meaning);
  if (spelled(true).length === 0 || spelled(false).length === 0) return ['boolean'];
  return [{ boolean: { true: spelled(true), false: spelled(false) } }];
}

/**
 * The transform steps that turn a source column into a target field, by the field's semantic
 * kind (or canonical type for a database target), from what the analysis saw in the values.
 */
const BY_KIND: Partial<Record<SemanticKind, StepRule>> = {
  email: () => ['email'],
  // A number that cannot be read is kept as written: a placeholder ("n/a") must not cost the row.
  phone: () => [{ phone: { on_invalid: 'keep' } }],
  mobile_phone: () => [{ phone: { on_invalid: 'keep' } }],
  fax: () => [{ phone: { on_invalid: 'keep' } }],
  phone_list: () => [{ phone: { on_invalid: 'keep' } }, { split: { separator: '\n' } }],
  reference: (c) => ((c.profile?.emptyCount ?? 0) > 0 ? ['blank_to_null'] : []),
};

/** The transform patterns for the column's text date format, when it has one. */
const formatsOf = (c: SourceColumn): readonly string[] | undefined => {
  const format = textFormat(c);
  return format === undefined ? undefined : transformFormats(format);
};

const BY_TYPE: Partial<Record<CanonicalKind, StepRule>> = {
  timestamptz: (c) => (sourceKind(c) === 'timestamptz' ? [] : formatsOf(c) ? [{ timestamp: { formats: formatsOf(c) } }] : ['timestamp']),
  timestamp: (c) => (formatsOf(c) ? [{ timestamp: { formats: formatsOf(c), output: 'timestamp' } }] : []),
  date: (c) => (sourceKind(c) === 'date' ? [] : formatsOf(c) ? [{ date: { formats: formatsOf(c) } }] : ['date']),
  decimal: (c, f) => (sourceKind(c) === 'text' ? [f.kind === 'money_amount' || textFormat(c) === 'currency' ? 'money' : 'number'] : []),
  integer: (c) => (sourceKind(c) === 'integer' ? [] : ['integer']),
  boolean: (c) => (sourceKind(c) === 'boolean' ? [] : booleanSteps(c)),
  multiselect: (c) => (isSugarMultienum(c) ? [{ multiselect: { format: 'sugar' } }] : ['multiselect']),
};

export function suggestSteps(column: SourceColumn, field: TargetField): readonly Step[] {
  const byKind = field.kind ? BY_KIND[field.kind] : undefined;
  const steps = byKind ? byKind(column, field) : (BY_TYPE[field.type.kind]?.(column, field) ?? []);
  // A plain text copy of values with stray spaces (" García ") is trimmed; the other steps read past them.
  const untrimmed = (column.profile?.untrimmedCount ?? 0) > 0;
  return steps.length === 0 && untrimmed && field.type.kind === 'text' && column.type.kind === 'text' ? ['trim'] : steps;
}
