import type { CanonicalType } from '../../core/types.js';
import { shiftDecimal } from '../transforms/decimal-text.js';
import { sizedDecimal, sizedText } from './text-size.js';

/** What is known about the values flowing through a field's steps: their type and, from the analysis, their sizes. */
export interface ValueFlow {
  readonly type: CanonicalType | undefined;
  /** Longest text seen (analysis), or undefined. */
  readonly maxLength?: number;
  /** Smallest and largest value seen, canonical text (analysis). */
  readonly min?: string;
  readonly max?: string;
}

type Params = Readonly<Record<string, unknown>>;
type OutputRule = (params: Params, flow: ValueFlow) => ValueFlow;

const typed = (type: CanonicalType): ValueFlow => ({ type });

/** Text of the data's size with a margin; without an analysis, the input's own length. */
function textOf(flow: ValueFlow, atLeast = 0): ValueFlow {
  if (flow.maxLength !== undefined) return { type: sizedText(Math.max(flow.maxLength, atLeast)), maxLength: flow.maxLength };
  if (flow.type?.kind === 'text') return { type: flow.type };
  return { type: { kind: 'text' } };
}

function numberParam(params: Params, name: string): number | undefined {
  const v = params[name];
  return typeof v === 'number' ? v : undefined;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A number or money amount: the declared precision and scale, else the input decimal's or the
 * analysed values', each moved by `shift` (-6: micros become units with six more fraction digits).
 */
function decimalOf(params: Params, flow: ValueFlow, minScale: number): ValueFlow {
  const precision = numberParam(params, 'precision');
  if (precision !== undefined) return typed({ kind: 'decimal', precision, scale: numberParam(params, 'scale') ?? 0 });
  const shift = numberParam(params, 'shift') ?? 0;
  if (flow.type?.kind === 'decimal' && flow.type.precision !== undefined) {
    const scale = Math.max(0, (flow.type.scale ?? 0) - shift);
    const intDigits = Math.max(1, flow.type.precision - (flow.type.scale ?? 0) + shift);
    return typed({ kind: 'decimal', precision: Math.min(38, intDigits + scale), scale });
  }
  const shifted = [flow.min, flow.max].map((v) => (v !== undefined && PLAIN_DECIMAL.test(v) ? shiftDecimal(v, shift) : v));
  return typed(sizedDecimal(shifted, Math.max(minScale, -shift)));
}

/** A picklist's output: booleans, integers, or the enum of the mapped values (a `default` included). */
function picklistOf(params: Params): ValueFlow {
  const map = (params.map ?? {}) as Readonly<Record<string, unknown>>;
  const outputs = [...Object.values(map), ...('default' in params ? [params.default] : [])].filter((v) => v !== null);
  if (outputs.length > 0 && outputs.every((v) => typeof v === 'boolean')) return typed({ kind: 'boolean' });
  if (outputs.length > 0 && outputs.every((v) => Number.isInteger(v))) return typed({ kind: 'integer' });
  return typed({ kind: 'enum', values: [...new Set(outputs.map(String))] });
}

const same: OutputRule = (_params, flow) => flow;
const text: OutputRule = (_params, flow) => textOf(flow);
const listOf: OutputRule = (params) =>
  typed(Array.isArray(params.values) ? { kind: 'multiselect', values: params.values.map(String) } : { kind: 'multiselect' });

/**
 * The type each transform produces, by name: the vocabulary of transforms is data here, as in
 * the registry. A transform not listed (a custom one) keeps the input's type.
 */
const OUTPUT_RULES: Readonly<Record<string, OutputRule>> = {
  trim: text,
  case: text,
  regex_replace: text,
  template: text,
  concat: text,
  name: text,
  join_name: text,
  url_domain: text,
  join: text,
  join_multiselect: text,
  json_path: text,
  // E.164 with an extension fits in 32; an unparseable number kept as written may be longer.
  phone: (_params, flow) => textOf(flow, 32),
  email: (_params, flow) => textOf(flow),
  truncate: (params) => typed({ kind: 'text', length: numberParam(params, 'max') ?? numberParam(params, 'value') ?? 255 }),
  date: () => typed({ kind: 'date' }),
  timestamp: (params) => typed({ kind: params.output === 'timestamp' ? 'timestamp' : 'timestamptz' }),
  money: (params, flow) => (params.part === 'currency' ? typed({ kind: 'text', length: 3 }) : decimalOf(params, flow, 2)),
  number: (params, flow) => decimalOf(params, flow, 0),
  integer: (params) => typed({ kind: params.type === 'bigint' ? 'bigint' : 'integer' }),
  boolean: () => typed({ kind: 'boolean' }),
  multiselect: listOf,
  split: (params, flow) => (params.index === undefined ? typed({ kind: 'multiselect' }) : textOf(flow)),
  picklist: picklistOf,
  to_json: () => typed({ kind: 'json' }),
  blank_to_null: same,
  coalesce: same,
  // A default on an untyped input (a lookup that may find nothing) is typed by its literal.
  default: (params, flow) => (flow.type ? flow : typed(typeof params.value === 'boolean' ? { kind: 'boolean' } : { kind: 'text' })),
};

/** A step as the mapping writes it: a name, or `{ name: params }` (a bare scalar param is `value`). */
function parseStep(step: unknown): { name: string; params: Params } {
  if (typeof step === 'string') return { name: step, params: {} };
  const [name, raw] = Object.entries(step as Record<string, unknown>)[0];
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return { name, params: raw as Params };
  return { name, params: raw === null || raw === undefined ? {} : { value: raw } };
}

/** The type a field's steps produce from its input flow. */
export function stepsOutput(steps: readonly unknown[], input: ValueFlow): ValueFlow {
  let flow = input;
  for (const step of steps) {
    const { name, params } = parseStep(step);
    flow = (OUTPUT_RULES[name] ?? same)(params, flow);
  }
  return flow;
}
