import { toCanonicalText } from '../core/canonical.js';
import type { ColumnSchema, Value } from '../core/types.js';
import type { ColumnProfile, NonConforming, PatternMatch, ValueCount } from './analysis-types.js';
import { DistinctCounter, type DistinctLimits, type Hasher } from './distinct-counter.js';
import { matchPatterns, PATTERN_BIT, PATTERN_DETECTORS, PATTERN_INDEX, phoneFormat } from './patterns.js';
import { inferTextType, TYPE_RULE_MASKS, TYPE_RULES } from './text-type-inference.js';
import { comparatorFor, compareDecimalText, MinMax } from './value-order.js';

export interface ColumnProfilerOptions {
  readonly hash: Hasher;
  /** A column with at most this many distinct values is a picklist: all its values are listed. */
  readonly picklistLimit: number;
  /** The column alone is a declared primary or unique key: its values are unique by constraint. */
  readonly declaredUnique: boolean;
  readonly distinctLimits?: DistinctLimits;
}

const EXAMPLES = 5;
/** Distinct text values whose facts are remembered: picklists and repeated values skip pattern matching. */
const FACTS_CACHE = 4096;
const EXAMPLE_LENGTH = 80;
const PHONE_FORMATS = 20;
/** A pattern this dominant makes the values that break it worth reporting as dirt. */
const DOMINANT_SHARE = 0.5;
/** Tolerance for calling an estimated column a candidate key: ~3 standard errors of the sketch. */
const ESTIMATE_TOLERANCE = 0.025;

const NUMERIC_BITS = PATTERN_BIT.integer | PATTERN_BIT.decimal | PATTERN_BIT.thousands | PATTERN_BIT.currency;
const PHONE_BIT = PATTERN_BIT.phone;
const EMAIL_BIT = PATTERN_BIT.email;

/**
 * What a text value can conform to: each type rule (first, parallel to TYPE_RULES, so their
 * counts are the rules' evidence) and the typeless patterns. The best-covered check that misses
 * some values names the column's dirt.
 */
const CONFORMANCE_CHECKS: readonly { readonly label: string; readonly mask: number; readonly needsVariety?: boolean }[] = [
  ...TYPE_RULES.map((rule, r) => ({
    label: rule.format ? `${rule.kind} ${rule.format}` : rule.kind,
    mask: TYPE_RULE_MASKS[r],
    ...(rule.needsVariety ? { needsVariety: true } : {}),
  })),
  { label: 'email', mask: PATTERN_BIT.email },
  { label: 'phone', mask: PATTERN_BIT.phone },
  { label: 'url', mask: PATTERN_BIT.url },
];

/** A pattern mask's matched patterns and checks, as index lists; masks repeat, so they are computed once. */
interface MaskPlan {
  readonly patterns: readonly number[];
  readonly checks: readonly number[];
}
const MASK_PLANS = new Map<number, MaskPlan>();
function maskPlan(mask: number): MaskPlan {
  let plan = MASK_PLANS.get(mask);
  if (!plan) {
    plan = {
      patterns: PATTERN_DETECTORS.flatMap((_, i) => (mask & (1 << i) ? [i] : [])),
      checks: CONFORMANCE_CHECKS.flatMap((check, c) => (mask & check.mask ? [c] : [])),
    };
    MASK_PLANS.set(mask, plan);
  }
  return plan;
}

interface TextFacts {
  readonly mask: number;
  readonly phoneFormat?: string;
}

const shorten = (text: string) => (text.length > EXAMPLE_LENGTH ? `${text.slice(0, EXAMPLE_LENGTH)}…` : text);

function isSpace(code: number): boolean {
  return code <= 32 || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0x2000 && code <= 0x200a);
}

/** Length in code points (what varchar(n) counts on PostgreSQL and MySQL), not UTF-16 units. */
function codePoints(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) surrogates++;
  }
  return text.length - surrogates;
}

/**
 * Accumulates one column's statistics over a stream of values, in memory bounded by the distinct
 * limits, the picklist limit and a fixed number of examples, whatever the row count.
 */
export class ColumnProfiler {
  private rows = 0;
  private nulls = 0;
  private empty = 0;
  private untrimmed = 0;
  private maxLength = 0;
  private readonly distinct: DistinctCounter;
  private values: Map<string, number> | undefined = new Map();
  private readonly minMax: MinMax | undefined;
  private readonly textLike: boolean;
  // Text columns only: pattern evidence.
  private nonBlank = 0;
  private readonly patternCounts = new Array<number>(PATTERN_DETECTORS.length).fill(0);
  private readonly patternMinMax: (MinMax | undefined)[] = PATTERN_DETECTORS.map((d) =>
    d.canonical ? new MinMax(d.order === 'numeric' ? compareDecimalText : comparatorFor('text')!) : undefined,
  );
  private readonly checkMatches = new Array<number>(CONFORMANCE_CHECKS.length).fill(0);
  /** Per check: the first matching value, and whether a different one matched later. */
  private readonly checkFirst: (string | undefined)[] = CONFORMANCE_CHECKS.map(() => undefined);
  private readonly checkVaries: boolean[] = CONFORMANCE_CHECKS.map(() => false);
  /** Per check, the first distinct values that miss it (examples of dirt if the check dominates). */
  private readonly checkMisses: string[][] = CONFORMANCE_CHECKS.map(() => []);
  private maxIntegerDigits = 0;
  private maxScale = 0;
  private phoneFormats: Map<string, number> | undefined;
  private readonly facts = new Map<string, TextFacts>();
  /** E-mail values, and their distinct forms after trimming and case-folding (the `email` transform's). */
  private emails = 0;
  private readonly foldedEmails: DistinctCounter;

  constructor(
    private readonly column: ColumnSchema,
    private readonly options: ColumnProfilerOptions,
  ) {
    this.distinct = new DistinctCounter(options.hash, options.distinctLimits);
    this.foldedEmails = new DistinctCounter(options.hash, options.distinctLimits);
    const compare = comparatorFor(column.type.kind);
    this.minMax = compare ? new MinMax(compare) : undefined;
    this.textLike = column.type.kind === 'text' || column.type.kind === 'enum';
  }

  add(value: Value): void {
    this.rows++;
    const text = toCanonicalText(value, this.column.type);
    if (text === null) {
      this.nulls++;
      return;
    }
    this.distinct.add(text);
    if (this.values) {
      this.values.set(text, (this.values.get(text) ?? 0) + 1);
      if (this.values.size > this.options.picklistLimit) this.values = undefined;
    }
    this.minMax?.add(text);
    if (this.textLike) this.addText(text);
  }

  private addText(text: string): void {
    if (text.length > this.maxLength) this.maxLength = Math.max(this.maxLength, codePoints(text));
    if (text === '') {
      this.empty++;
      return;
    }
    if (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1))) this.untrimmed++;
    this.nonBlank++;
    const known = this.facts.get(text);
    const facts = known ?? this.learn(text);
    if (known === undefined && this.facts.size < FACTS_CACHE) this.facts.set(text, facts);
    const { patterns, checks } = maskPlan(facts.mask);
    for (const i of patterns) this.patternCounts[i]++;
    for (const c of checks) this.checkMatches[c]++;
    if (facts.phoneFormat !== undefined) this.countPhoneFormat(facts.phoneFormat);
    if (facts.mask & EMAIL_BIT) {
      this.emails++;
      this.foldedEmails.add(text.trim().toLowerCase());
    }
  }

  /**
   * What a value tells beyond counts: its patterns, and its effect on extremes, numeric shape,
   * variety and dirt examples. All of these are idempotent per distinct value, so a repeated
   * value found in the cache skips them.
   */
  private learn(text: string): TextFacts {
    const mask = matchPatterns(text);
    for (let i = 0; i < PATTERN_DETECTORS.length; i++) {
      if (mask & (1 << i)) this.patternMinMax[i]?.add(PATTERN_DETECTORS[i].canonical!(text));
    }
    for (let c = 0; c < CONFORMANCE_CHECKS.length; c++) {
      if (mask & CONFORMANCE_CHECKS[c].mask) {
        if (!this.checkVaries[c]) {
          this.checkFirst[c] ??= text;
          this.checkVaries[c] = this.checkFirst[c] !== text;
        }
      } else if (this.checkMisses[c].length < EXAMPLES && !this.checkMisses[c].includes(shorten(text))) {
        this.checkMisses[c].push(shorten(text));
      }
    }
    if (mask & NUMERIC_BITS) this.addNumericShape(text);
    return mask & PHONE_BIT ? { mask, phoneFormat: phoneFormat(text) } : { mask };
  }

  private addNumericShape(text: string): void {
    const plain = text.replace(/[^\d.]/g, '');
    const [int, frac = ''] = plain.split('.');
    this.maxIntegerDigits = Math.max(this.maxIntegerDigits, int.replace(/^0+(?=\d)/, '').length);
    this.maxScale = Math.max(this.maxScale, frac.replace(/0+$/, '').length);
  }

  private countPhoneFormat(format: string): void {
    this.phoneFormats ??= new Map();
    const key = this.phoneFormats.has(format) || this.phoneFormats.size < PHONE_FORMATS ? format : 'other';
    this.phoneFormats.set(key, (this.phoneFormats.get(key) ?? 0) + 1);
  }

  finish(): ColumnProfile {
    const nonNull = this.rows - this.nulls;
    const distinctCount = this.distinct.count();
    const uniqueByConstraint = this.options.declaredUnique;
    const distinctExact = this.distinct.isExact || uniqueByConstraint;
    const distinct = uniqueByConstraint ? nonNull : distinctCount;
    const duplicateValues = Math.max(0, nonNull - distinct);
    const candidateKey =
      this.rows > 0 && this.nulls === 0 && (distinctExact ? duplicateValues === 0 : distinct >= nonNull * (1 - ESTIMATE_TOLERANCE));
    const inferred = this.textLike ? this.inferType() : undefined;
    const range = inferred?.range ?? this.minMax;
    const picklist = this.values && duplicateValues > 0 ? this.values : undefined;
    return {
      name: this.column.name,
      type: this.column.type,
      nativeType: this.column.nativeType,
      nullable: this.column.nullable,
      nullCount: this.nulls,
      nullShare: this.rows === 0 ? 0 : this.nulls / this.rows,
      emptyCount: this.empty,
      untrimmedCount: this.untrimmed,
      distinctCount: distinct,
      distinctExact,
      ...(range?.min === undefined ? {} : { min: shorten(range.min), max: shorten(range.max!) }),
      ...(this.textLike ? { maxLength: this.maxLength } : {}),
      ...(picklist ? { topValues: sortedCounts(picklist) } : {}),
      patterns: this.patternMatches(),
      ...this.nonConforming(),
      ...(this.phoneFormats ? { phoneFormats: sortedCounts(this.phoneFormats) } : {}),
      ...(this.emails > 0 ? { emailDuplicates: this.emails - this.foldedEmails.count() } : {}),
      ...(inferred ? { inferredType: inferred.type, ...(inferred.format ? { inferredFormat: inferred.format } : {}) } : {}),
      candidateKey,
      duplicateValues: candidateKey && !distinctExact ? 0 : duplicateValues,
      duplicatesExact: distinctExact,
    };
  }

  private inferType() {
    const numericRange = new MinMax(compareDecimalText);
    PATTERN_DETECTORS.forEach((_, i) => {
      if (NUMERIC_BITS & (1 << i)) numericRange.merge(this.patternMinMax[i]!);
    });
    const inferred = inferTextType({
      nonBlank: this.nonBlank,
      ruleMatches: this.checkMatches.slice(0, TYPE_RULES.length),
      ruleVaries: this.checkVaries.slice(0, TYPE_RULES.length),
      numericMin: numericRange.min,
      numericMax: numericRange.max,
      maxIntegerDigits: this.maxIntegerDigits,
      maxScale: this.maxScale,
    });
    if (!inferred) return undefined;
    // Min and max in the inferred type's order, over the canonical forms of its member patterns.
    // (Members of one rule share an order.)
    let range: MinMax | undefined;
    for (const name of inferred.rule.members) {
      const own = this.patternMinMax[PATTERN_INDEX[name]];
      if (!own) continue;
      range ??= new MinMax(PATTERN_DETECTORS[PATTERN_INDEX[name]].order === 'numeric' ? compareDecimalText : comparatorFor('text')!);
      range.merge(own);
    }
    return { ...inferred, range };
  }

  private patternMatches(): PatternMatch[] {
    return PATTERN_DETECTORS.flatMap((d, i) =>
      this.patternCounts[i] === 0 ? [] : [{ name: d.name, matches: this.patternCounts[i], share: this.patternCounts[i] / this.nonBlank }],
    ).sort((a, b) => b.matches - a.matches);
  }

  /** The values breaking the best-covered check, when it covers most but not all values. */
  private nonConforming(): { nonConforming?: NonConforming } {
    if (this.nonBlank === 0) return {};
    let best = -1;
    for (let c = 0; c < CONFORMANCE_CHECKS.length; c++) {
      if (CONFORMANCE_CHECKS[c].needsVariety && !this.checkVaries[c]) continue;
      if (best < 0 || this.checkMatches[c] > this.checkMatches[best]) best = c;
    }
    const matches = this.checkMatches[best];
    if (matches === this.nonBlank || matches / this.nonBlank < DOMINANT_SHARE) return {};
    // The checks start with the type rules, in the same order.
    const rule = best < TYPE_RULES.length ? TYPE_RULES[best] : undefined;
    const typed = rule
      ? { type: { kind: rule.kind, ...(rule.format ? { format: rule.format } : {}), share: matches / this.nonBlank } }
      : {};
    return {
      nonConforming: {
        pattern: CONFORMANCE_CHECKS[best].label,
        ...typed,
        count: this.nonBlank - matches,
        examples: this.checkMisses[best],
      },
    };
  }
}

function sortedCounts(counts: Map<string, number>): ValueCount[] {
  return [...counts]
    .map(([value, count]) => ({ value: shorten(value), count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
