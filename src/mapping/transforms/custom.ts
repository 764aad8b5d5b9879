import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CrmError, isCrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { type TransformContext, type TransformDefinition, TransformError, type TransformInput } from './transform.js';

/**
 * A user transform, exported by a module the mapping names:
 *
 * ```yaml
 * transform: [{ custom: { module: ./transforms.js, export: normalizeRegion, params: { strict: true } } }]
 * ```
 *
 * The export must be a `CustomTransformFn`: called once per row with the value, the step's
 * `params` (as written, unvalidated) and the run context; it returns the new value (a `Value`:
 * string, number, bigint, boolean, Uint8Array, string[] or null) or throws. A thrown
 * `TransformError` rejects the row as is; anything else rejects it with reason `custom_failed`.
 * NULL passes through without a call unless the step says `handles_null: true`.
 *
 * Modules are imported before compilation (compilation is synchronous) by `loadCustomModules`,
 * which puts them in `TransformContext.customModules`.
 */
export type CustomTransformFn = (value: TransformInput, params: unknown, ctx: TransformContext) => Value;

const customParams = z.strictObject({
  module: z.string().min(1),
  export: z.string().min(1).default('default'),
  params: z.unknown().optional(),
  handles_null: z.boolean().default(false),
});

type CustomParams = z.output<typeof customParams>;

export const custom: TransformDefinition<CustomParams> = {
  name: 'custom',
  usage: 'custom: { module: ./transforms.js, export?: default, params?: {…}, handles_null?: false }',
  params: customParams,
  handlesNull: true,
  compile: (params, ctx) => {
    const loaded = ctx.customModules?.get(params.module);
    if (!loaded) throw new CrmError('CRM_M5001', `custom module "${params.module}" was not loaded (call loadCustomModules first)`);
    const fn = loaded[params.export];
    if (typeof fn !== 'function')
      throw new CrmError('CRM_M5001', `custom module "${params.module}" has no function export "${params.export}"`);
    const userFn = fn as CustomTransformFn;
    const passNull = !params.handles_null;
    return (value) => {
      if (passNull && value === null) return null;
      let result: Value | undefined;
      try {
        result = userFn(value, params.params, ctx);
      } catch (err) {
        if (err instanceof TransformError) throw err;
        throw new TransformError('custom', 'custom_failed', value, isCrmError(err) || err instanceof Error ? err.message : String(err));
      }
      if (result === undefined) throw new TransformError('custom', 'custom_failed', value, `${params.export} returned undefined`);
      return result;
    };
  },
};

/** The module paths named by `custom` steps in the given pipelines. */
export function customModulePaths(pipelines: readonly (readonly unknown[])[]): Set<string> {
  const paths = new Set<string>();
  for (const steps of pipelines) {
    for (const step of steps) {
      if (step === null || typeof step !== 'object' || !('custom' in step)) continue;
      const spec = (step as { custom: unknown }).custom;
      if (spec !== null && typeof spec === 'object' && typeof (spec as { module?: unknown }).module === 'string') {
        paths.add((spec as { module: string }).module);
      }
    }
  }
  return paths;
}

/**
 * Imports every module named by a `custom` step (paths relative to `baseDir`, normally the
 * mapping file's folder), once per run; pass the result as `TransformContext.customModules`.
 */
export async function loadCustomModules(
  pipelines: readonly (readonly unknown[])[],
  baseDir: string,
): Promise<ReadonlyMap<string, Readonly<Record<string, unknown>>>> {
  const modules = new Map<string, Readonly<Record<string, unknown>>>();
  for (const path of customModulePaths(pipelines)) {
    const file = resolve(baseDir, path);
    try {
      modules.set(path, (await import(pathToFileURL(file).href)) as Record<string, unknown>);
    } catch (err) {
      throw new CrmError('CRM_M5001', `custom module "${path}" could not be loaded from ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return modules;
}
