import type { CanonicalType } from '../core/types.js';
import { PATTERN_BIT, type PatternName } from './patterns.js';
import { compareDecimalText } from './value-order.js';

/**
 * Candidate types for a text column, most specific first. A rule applies when every non-blank
 * value matches one of its member patterns; the first rule that applies gives the inferred type.
 * Leading-zero numbers (`00123`) match no numeric pattern, so zip codes and account numbers stay
 * text and keep their zeros.
 */
export interface TypeRule {
  readonly kind: CanonicalType['kind'];
  readonly members: readonly PatternName[];
  /** The text format when it is not the canonical one (a mapping must parse it). */
  readonly format?: string;
  /**
   * Needs at least two distinct matching values: a column holding only `1` (Sugar's admin user
   * id) is no evidence of a boolean.
   */
  readonly needsVariety?: boolean;
}

export const TYPE_RULES: readonly TypeRule[] = [
  { kind: 'boolean', members: ['boolean'], needsVariety: true },
  { kind: 'integer', members: ['integer'] },
  { kind: 'decimal', members: ['integer', 'decimal'] },
  { kind: 'decimal', members: ['integer', 'decimal', 'thousands'], format: 'thousands' },
  { kind: 'decimal', members: ['integer', 'decimal', 'thousands', 'currency'], format: 'currency' },
  { kind: 'uuid', members: ['uuid'] },
  { kind: 'date', members: ['date-iso'] },
  { kind: 'date', members: ['date-us'], format: 'MM/DD/YYYY' },
  { kind: 'date', members: ['date-dmy'], format: 'DD/MM/YYYY' },
  { kind: 'date', members: ['date-eu'], format: 'DD.MM.YYYY' },
  { kind: 'timestamp', members: ['datetime-iso'] },
  { kind: 'timestamptz', members: ['datetime-iso-tz'] },
  { kind: 'timestamp', members: ['datetime-us'], format: 'MM/DD/YYYY HH:MM:SS' },
  { kind: 'time', members: ['time'] },
];

/** Each rule's members as one bit mask over `matchPatterns` results. */
export const TYPE_RULE_MASKS: readonly number[] = TYPE_RULES.map((r) => r.members.reduce((mask, name) => mask | PATTERN_BIT[name], 0));

export interface TextTypeEvidence {
  readonly nonBlank: number;
  /** Per rule (parallel to TYPE_RULES): values matching at least one member. */
  readonly ruleMatches: readonly number[];
  /** Per rule: whether at least two distinct values matched it. */
  readonly ruleVaries: readonly boolean[];
  /** Numeric extremes (canonical decimal text) and shape, over numeric-looking values. */
  readonly numericMin?: string;
  readonly numericMax?: string;
  readonly maxIntegerDigits: number;
  readonly maxScale: number;
}

export interface InferredType {
  readonly type: CanonicalType;
  readonly format?: string;
  readonly rule: TypeRule;
}

const INT32_MIN = '-2147483648';
const INT32_MAX = '2147483647';

/** The narrowest type all non-blank values conform to; undefined when that is text (or no values). */
export function inferTextType(evidence: TextTypeEvidence): InferredType | undefined {
  if (evidence.nonBlank === 0) return undefined;
  const index = TYPE_RULES.findIndex(
    (rule, r) => evidence.ruleMatches[r] === evidence.nonBlank && (!rule.needsVariety || evidence.ruleVaries[r]),
  );
  if (index < 0) return undefined;
  const rule = TYPE_RULES[index];
  return { type: concreteType(rule, evidence), rule, ...(rule.format ? { format: rule.format } : {}) };
}

function concreteType(rule: TypeRule, evidence: TextTypeEvidence): CanonicalType {
  switch (rule.kind) {
    case 'integer': {
      const fits =
        evidence.numericMin !== undefined &&
        evidence.numericMax !== undefined &&
        compareDecimalText(evidence.numericMin, INT32_MIN) >= 0 &&
        compareDecimalText(evidence.numericMax, INT32_MAX) <= 0;
      return fits ? { kind: 'integer' } : { kind: 'bigint' };
    }
    case 'decimal':
      return { kind: 'decimal', precision: Math.max(1, evidence.maxIntegerDigits + evidence.maxScale), scale: evidence.maxScale };
    case 'boolean':
    case 'uuid':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return { kind: rule.kind };
    default:
      return { kind: 'text' };
  }
}
