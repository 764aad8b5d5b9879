import { CrmError, isCrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { builtinRegistry, type TransformRegistry } from './registry.js';
import type { CompileContext, TransformContext, TransformDefinition, TransformFn, TransformInput } from './transform.js';

export interface PipelineOptions {
  /** The field's `from` columns; more than one means the compiled function takes an array. */
  readonly inputs?: readonly string[];
  /** Where step names are looked up; defaults to the built-in transforms. */
  readonly registry?: TransformRegistry;
  /** Compile the inverse of every step, in reverse order (for two-way sync). */
  readonly inverse?: boolean;
}

interface ParsedStep {
  readonly name: string;
  readonly raw: unknown;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A step is `name` or `{ name: params }`; YAML's `- name:` gives `{ name: null }`, read as no params. */
function parseStep(step: unknown, position: number): ParsedStep {
  if (typeof step === 'string') return { name: step, raw: undefined };
  if (step !== null && typeof step === 'object' && !Array.isArray(step)) {
    const keys = Object.keys(step);
    if (keys.length === 1) {
      const raw = (step as Record<string, unknown>)[keys[0]];
      return { name: keys[0], raw: raw === null ? undefined : raw };
    }
  }
  throw new CrmError(
    'CRM_M5001',
    `transform step ${position}: expected a transform name or a one-key object { name: params }, got ${describe(step)}`,
  );
}

function stepError(position: number, name: string, detail: string, usage: string): CrmError {
  return new CrmError('CRM_M5001', `transform step ${position} (${name}): ${detail}; expected ${usage}`);
}

/** Passes NULL through, so a transform's own code never sees it unless it asks to. */
function guardNull(fn: TransformFn): TransformFn {
  return (value) => (value === null ? null : fn(value));
}

/**
 * Compiles a field's transform steps once per run into one plain function: each step's params
 * are validated with zod here and never again, and the result is a closure chain with no
 * per-row interpretation of the mapping. Errors name the step (1-based) and what it expects:
 * CRM_M5006 for an unknown transform, CRM_M5001 for bad params or a misplaced multi-input step.
 *
 * NULL passes through every step unchanged except those that exist for it (`default`,
 * `coalesce`). A field with several `from` columns must start with a multi-input step
 * (`concat`, `coalesce`, `template`, `join_name`); the compiled function then takes their
 * values as an array in `from` order.
 */
export function compilePipeline(steps: readonly unknown[], ctx: TransformContext, options: PipelineOptions = {}): TransformFn {
  const registry = options.registry ?? builtinRegistry;
  const inputs = options.inputs ?? [];
  const compileCtx: CompileContext = { ...ctx, inputNames: inputs };
  const fns: TransformFn[] = [];
  let headIsMulti = false;

  steps.forEach((step, i) => {
    const position = i + 1;
    const { name, raw } = parseStep(step, position);
    const definition: TransformDefinition | undefined = registry.get(name);
    if (!definition) {
      throw new CrmError('CRM_M5006', `transform step ${position}: unknown transform "${name}" (known: ${registry.names().join(', ')})`);
    }
    if (definition.multiInput && i > 0) {
      throw stepError(position, name, 'a multi-input transform must be the first step', definition.usage);
    }
    const parsed = definition.params.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      throw stepError(position, name, `invalid params ${describe(raw)}: ${issues.join('; ')}`, definition.usage);
    }
    let fn: TransformFn;
    try {
      if (options.inverse) {
        if (!definition.inverse) throw new CrmError('CRM_M5001', `${name} has no inverse, so this field cannot sync back`);
        fn = definition.inverse(parsed.data, compileCtx);
      } else {
        fn = definition.compile(parsed.data, compileCtx);
      }
    } catch (err) {
      if (isCrmError(err) && err.code === 'CRM_M5001') throw stepError(position, name, err.message, definition.usage);
      throw err;
    }
    headIsMulti ||= i === 0 && definition.multiInput === true;
    fns.push(definition.handlesNull || definition.multiInput ? fn : guardNull(fn));
  });

  if (inputs.length > 1 && !headIsMulti) {
    throw new CrmError(
      'CRM_M5001',
      `field reads ${inputs.length} columns (${inputs.join(', ')}): its first transform step must be a multi-input transform (concat, coalesce, template, join_name)`,
    );
  }
  if (options.inverse) fns.reverse();
  const chain = compose(fns);
  // One from column feeding a multi-input head: hand it a list of one.
  return headIsMulti && inputs.length <= 1 ? (value) => chain([value as Value]) : chain;
}

function compose(fns: readonly TransformFn[]): TransformFn {
  switch (fns.length) {
    case 0:
      return (value) => value as Value;
    case 1:
      return fns[0];
    case 2: {
      const [f, g] = fns;
      return (value) => g(f(value));
    }
    default:
      return (value: TransformInput) => {
        let out = fns[0](value);
        for (let i = 1; i < fns.length; i++) out = fns[i](out);
        return out;
      };
  }
}
