import type { CanonicalKind } from '../../core/types.js';
import type { SemanticKind } from '../models/model-types.js';
import type { SourceColumn } from './field-score.js';
import type { TargetField } from './target-catalog.js';

type Step = string | Readonly<Record<string, unknown>>;
type StepRule = (column: SourceColumn, field: TargetField) => readonly Step[];

const sourceKind = (c: SourceColumn): CanonicalKind => c.type.kind;
const textFormat = (c: SourceColumn): string | undefined => (c.type.kind === 'text' ? c.profile?.inferredFormat : undefined);
const isSugarMultienum = (c: SourceColumn): boolean => (c.profile?.topValues ?? []).some((v) => /^\^.*\^$/.test(v.value));

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

const BY_TYPE: Partial<Record<CanonicalKind, StepRule>> = {
  timestamptz: (c) =>
    sourceKind(c) === 'timestamptz' ? [] : textFormat(c) ? [{ timestamp: { formats: [textFormat(c)] } }] : ['timestamp'],
  timestamp: (c) => (textFormat(c) ? [{ timestamp: { formats: [textFormat(c)], output: 'timestamp' } }] : []),
  date: (c) => (sourceKind(c) === 'date' ? [] : textFormat(c) ? [{ date: { formats: [textFormat(c)] } }] : ['date']),
  decimal: (c, f) => (sourceKind(c) === 'text' ? [f.kind === 'money_amount' || textFormat(c) === 'currency' ? 'money' : 'number'] : []),
  integer: (c) => (sourceKind(c) === 'text' ? ['integer'] : []),
  boolean: (c) => (sourceKind(c) === 'boolean' ? [] : ['boolean']),
  multiselect: (c) => (isSugarMultienum(c) ? [{ multiselect: { format: 'sugar' } }] : ['multiselect']),
};

export function suggestSteps(column: SourceColumn, field: TargetField): readonly Step[] {
  const byKind = field.kind ? BY_KIND[field.kind] : undefined;
  if (byKind) return byKind(column, field);
  return BY_TYPE[field.type.kind]?.(column, field) ?? [];
}
