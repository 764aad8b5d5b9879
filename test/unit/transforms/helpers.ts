import { expect } from 'vitest';
import type { Value } from '../../../src/core/types.js';
import { compilePipeline, type PipelineOptions } from '../../../src/mapping/transforms/compile-pipeline.js';
import { type TransformContext, TransformError, type TransformInput } from '../../../src/mapping/transforms/transform.js';

/** Compiles `steps` and runs them on one value. */
export function run(steps: unknown[], value: TransformInput, ctx: TransformContext = {}, options: PipelineOptions = {}): Value {
  return compilePipeline(steps, ctx, options)(value);
}

/** The TransformError thrown by running `steps` on `value`; fails the test when none is thrown. */
export function rejection(
  steps: unknown[],
  value: TransformInput,
  ctx: TransformContext = {},
  options: PipelineOptions = {},
): TransformError {
  const fn = compilePipeline(steps, ctx, options);
  try {
    const out = fn(value);
    expect.fail(`expected a reject, got ${JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  } catch (err) {
    if (!(err instanceof TransformError)) throw err;
    return err;
  }
}

/** Asserts a reject with `reason`, carrying the raw value, and returns it. */
export function expectReject(steps: unknown[], value: TransformInput, reason: string, ctx: TransformContext = {}): TransformError {
  const err = rejection(steps, value, ctx);
  expect(err.reason).toBe(reason);
  expect(err.raw).toEqual(value);
  expect(err.code).toBe(reason === 'unmapped_value' ? 'CRM_R4011' : 'CRM_R4010');
  return err;
}

/** Runs `body` with `process.env.TZ` set to `zone`, restoring the previous zone after. */
export function withProcessTimeZone<T>(zone: string, body: () => T): T {
  const previous = process.env.TZ;
  process.env.TZ = zone;
  try {
    return body();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}
