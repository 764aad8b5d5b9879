import type { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';

/**
 * Run options shared by every transform of a run. They are read at compile time only: a
 * compiled function never looks at the context again, so a row is transformed the same way
 * whatever happens around it.
 */
export interface TransformContext {
  /** IANA zone of the source's naive datetimes (`timestamp` reads them in this zone). Default 'UTC'. */
  readonly timeZone?: string;
  /** ISO 3166 alpha-2 country for phone numbers without a country code, e.g. 'US'. */
  readonly defaultCountry?: string;
  /** BCP 47 locale of formatted numbers and money, e.g. 'en-US', 'de-DE'. Default 'en-US'. */
  readonly locale?: string;
  /** Modules loaded by `loadCustomModules`, keyed by the module path as the mapping spells it. */
  readonly customModules?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /**
   * Told about every value a transform changed on purpose but lossily (today: `truncate`), so
   * the engine can log the original length per row. Never told about rejects: those throw.
   */
  readonly notice?: (notice: TransformNotice) => void;
}

export interface TransformNotice {
  readonly transform: string;
  readonly reason: string;
  readonly value: Value;
  readonly detail: string;
}

/**
 * The input of a compiled transform: one value, or the values of several `from` columns (in
 * their declared order) for a multi-input transform at the head of a pipeline.
 */
export type TransformInput = Value | readonly Value[];

/** A compiled transform: pure, and throws `TransformError` for a value it cannot take. */
export type TransformFn = (value: TransformInput) => Value;

/** What a transform knows at compile time: the run options plus the field it is compiled for. */
export interface CompileContext extends TransformContext {
  /** The field's `from` column names, in order (used by `template` to resolve `{name}`). */
  readonly inputNames: readonly string[];
}

/**
 * One transform: its name in the mapping, the zod schema of its params (checked once per run),
 * and a compiler from params to a plain function. Methods (not function properties) so that a
 * `TransformDefinition<P>` is usable where a `TransformDefinition<unknown>` is expected.
 */
export interface TransformDefinition<P = unknown> {
  readonly name: string;
  /** One line showing the expected params, quoted in compile errors. */
  readonly usage: string;
  /** Validates the step's params; a step written as a bare name gets `undefined`. */
  readonly params: z.ZodType<P>;
  /** Takes the array of all `from` values; must be the first step of a pipeline. */
  readonly multiInput?: boolean;
  /** Receives NULL (`default`, `coalesce`); every other transform passes NULL through unseen. */
  readonly handlesNull?: boolean;
  compile(params: P, ctx: CompileContext): TransformFn;
  /** The reverse direction, for two-way sync; present only where the transform is invertible. */
  inverse?(params: P, ctx: CompileContext): TransformFn;
}

/** A row-level transform failure: the row is rejected with `reason`, the rest of the run goes on. */
export class TransformError extends CrmError {
  /** snake_case reason, stable for reports and tests: `invalid_email`, `unmapped_value`, … */
  readonly reason: string;
  /** The transform that rejected the value. */
  readonly transform: string;
  /** The raw value as the transform received it. */
  readonly raw: TransformInput;

  constructor(transform: string, reason: string, raw: TransformInput, detail?: string) {
    super(reason === 'unmapped_value' ? 'CRM_R4011' : 'CRM_R4010', `${transform}: ${reason}${detail ? ` (${detail})` : ''}`, {
      value: raw,
    });
    this.name = 'TransformError';
    this.reason = reason;
    this.transform = transform;
    this.raw = raw;
  }
}

/**
 * Types a single-input transform. The pipeline only ever hands a single-input step one `Value`
 * (never the array of several `from` values), so narrowing the parameter here is sound.
 */
export function single(fn: (value: Value) => Value): TransformFn {
  return fn as TransformFn;
}

/** Types a multi-input transform: the pipeline always hands it the array of `from` values. */
export function multi(fn: (values: readonly Value[]) => Value): TransformFn {
  return fn as TransformFn;
}
