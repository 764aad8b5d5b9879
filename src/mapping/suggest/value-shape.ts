import type { CanonicalKind } from '../../core/types.js';
import type { ColumnProfile } from '../../schema/analysis-types.js';

/**
 * Share of the non-blank values that must conform to a type for the mapping to parse the column
 * as that type; the few that do not are then rejected row by row (and listed by `analyze`),
 * rather than the whole column being taken for free text.
 */
const MOSTLY = 0.9;

interface Shaped {
  readonly type: { readonly kind: CanonicalKind };
  readonly profile?: ColumnProfile;
}

/** The type the column's values have: declared, inferred from every value, or from nearly every value. */
export function valueKind(column: Shaped): CanonicalKind {
  const profile = column.profile;
  if (profile?.inferredType) return profile.inferredType.kind;
  return mostly(profile)?.kind ?? column.type.kind;
}

/** The text format of a text column's values (`MM/DD/YYYY`, `currency`), when not canonical. */
export function valueFormat(column: Shaped): string | undefined {
  if (column.type.kind !== 'text') return undefined;
  const profile = column.profile;
  if (profile?.inferredType) return profile.inferredFormat;
  return mostly(profile)?.format;
}

/**
 * The analysis names a text date format by its shape (`MM/DD/YYYY HH:MM:SS`); its patterns
 * accept one-digit months, days and hours, optional seconds and AM/PM. These are the transform
 * patterns (date-pattern.ts syntax) that parse every value the analysis counted as conforming.
 */
const TRANSFORM_FORMATS: Readonly<Record<string, readonly string[]>> = {
  'MM/DD/YYYY': ['M/D/YYYY'],
  'DD/MM/YYYY': ['D/M/YYYY'],
  'DD.MM.YYYY': ['D.M.YYYY'],
  'MM/DD/YYYY HH:MM:SS': ['M/D/YYYY H:mm:ss', 'M/D/YYYY H:mm', 'M/D/YYYY h:mm:ss A', 'M/D/YYYY h:mm A'],
};

/** The `formats` of a date or timestamp transform for a column's text format. */
export function transformFormats(format: string): readonly string[] {
  return TRANSFORM_FORMATS[format] ?? [format];
}

function mostly(profile: ColumnProfile | undefined): { kind: CanonicalKind; format?: string } | undefined {
  const type = profile?.nonConforming?.type;
  return type && type.share >= MOSTLY ? type : undefined;
}
