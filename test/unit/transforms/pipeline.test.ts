import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CrmError } from '../../../src/core/errors/crm-error.js';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { builtinRegistry } from '../../../src/mapping/transforms/registry.js';
import { single, type TransformDefinition } from '../../../src/mapping/transforms/transform.js';
import { run } from './helpers.js';

function compileError(steps: unknown[], inputs?: string[]): CrmError {
  try {
    compilePipeline(steps, {}, { inputs });
  } catch (err) {
    if (err instanceof CrmError) return err;
    throw err;
  }
  return expect.fail('expected a compile error');
}

describe('compilePipeline', () => {
  it('composes steps in order', () => {
    expect(run(['trim', { case: 'lower' }, 'email'], '  Jo@Example.COM ')).toBe('jo@example.com');
    expect(run(['trim', { case: 'upper' }, { truncate: 3 }, { default: 'X' }], '  abcdef ')).toBe('ABC');
  });

  it('an empty pipeline is the identity', () => {
    expect(run([], 'x')).toBe('x');
    expect(run([], null)).toBeNull();
  });

  it('names the step of an unknown transform (CRM_M5006)', () => {
    const err = compileError(['trim', 'frobnicate']);
    expect(err.code).toBe('CRM_M5006');
    expect(err.message).toContain('step 2');
    expect(err.message).toContain('"frobnicate"');
    expect(err.message).toContain('picklist'); // lists the known ones
  });

  it('names the step and what it expects for bad params (CRM_M5001)', () => {
    const err = compileError(['trim', { picklist: { mapp: {} } }]);
    expect(err.code).toBe('CRM_M5001');
    expect(err.message).toContain('step 2 (picklist)');
    expect(err.message).toContain('map');
    expect(err.message).toContain('expected picklist: { map:');

    const truncate = compileError([{ truncate: { max: -1 } }]);
    expect(truncate.message).toContain('step 1 (truncate)');
    expect(truncate.message).toContain('max');

    expect(compileError([{ case: 'sideways' }]).message).toContain('step 1 (case)');
    expect(compileError([{ regex_replace: { pattern: '(', replacement: '' } }]).message).toContain('invalid regular expression');
    expect(compileError([{ timestamp: { zone: 'Mars/Olympus' } }]).message).toContain('IANA time zone');
    expect(compileError([{ phone: { country: 'XX' } }]).message).toContain('country code');
    expect(compileError([{ money: { currency: 'ZZZ' } }]).message).toContain('ISO 4217');
  });

  it('rejects malformed steps', () => {
    expect(compileError([{ trim: null, case: 'lower' }]).message).toContain('step 1: expected a transform name');
    expect(compileError([42]).code).toBe('CRM_M5001');
  });

  it('reads `- name:` (YAML null params) as a bare name', () => {
    expect(run([{ trim: null }], ' a ')).toBe('a');
  });

  it('requires multi-input transforms to come first', () => {
    const err = compileError(['trim', { concat: { separator: ' ' } }]);
    expect(err.code).toBe('CRM_M5001');
    expect(err.message).toContain('step 2 (concat)');
    expect(err.message).toContain('must be the first step');
  });

  it('requires a multi-input head when a field reads several columns', () => {
    const err = compileError(['trim'], ['first_name', 'last_name']);
    expect(err.message).toContain('first_name, last_name');
    expect(compilePipeline([{ concat: { separator: '-' } }, 'trim'], {}, { inputs: ['a', 'b'] })([' x', 'y '])).toBe('x-y');
  });

  it('hands a multi-input head one value as a list of one', () => {
    expect(run([{ template: 'Note: {0}' }], 'hi', {}, { inputs: ['note'] })).toBe('Note: hi');
    expect(run(['coalesce', { default: 'none' }], null)).toBe('none');
  });

  it('passes NULL through every transform except default and coalesce', () => {
    const steps = ['trim', { case: 'title' }, 'email', { phone: { country: 'US' } }, 'date', 'timestamp', 'number', 'integer', 'boolean'];
    expect(run(steps, null)).toBeNull();
    const bareNames = builtinRegistry.names().filter((name) => {
      const def = builtinRegistry.get(name) as TransformDefinition;
      return !def.handlesNull && !def.multiInput && def.params.safeParse(undefined).success;
    });
    expect(bareNames.length).toBeGreaterThanOrEqual(12);
    for (const name of bareNames) expect(run([name], null), name).toBeNull();
    expect(run([{ default: 'x' }], null)).toBe('x');
  });

  it('validates params once at compile time, not per row', () => {
    let parses = 0;
    const counting: TransformDefinition<{ n: number }> = {
      name: 'counting',
      usage: 'counting: { n: 1 }',
      params: z.strictObject({ n: z.number() }).transform((p) => {
        parses++;
        return p;
      }),
      compile: ({ n }) => single((v) => `${String(v)}${n}`),
    };
    const fn = compilePipeline([{ counting: { n: 7 } }], {}, { registry: builtinRegistry.with([counting]) });
    for (let i = 0; i < 100; i++) fn('x');
    expect(parses).toBe(1);
    expect(fn('a')).toBe('a7');
  });

  it('refuses to register a name twice', () => {
    const dup: TransformDefinition = { ...builtinRegistry.get('trim')!, name: 'trim' };
    expect(() => builtinRegistry.with([dup])).toThrow(/duplicate/);
  });

  it('compiles inverses in reverse order, and refuses non-invertible steps', () => {
    const steps = [{ picklist: { map: { Y: 'yes', N: 'no' } } }, { boolean: { true: ['yes'], false: ['no'] } }];
    expect(run(steps, 'Y')).toBe(true);
    expect(compilePipeline(steps, {}, { inverse: true })(true)).toBe('Y');
    expect(() => compilePipeline(['trim'], {}, { inverse: true })).toThrow(/trim has no inverse/);
  });
});
