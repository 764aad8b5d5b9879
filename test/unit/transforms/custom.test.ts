import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { loadCustomModules } from '../../../src/mapping/transforms/custom.js';
import { TransformError } from '../../../src/mapping/transforms/transform.js';

const baseDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const MODULE = './custom-transforms.ts';

async function compile(step: Record<string, unknown>) {
  const steps = [{ custom: { module: MODULE, ...step } }];
  const customModules = await loadCustomModules([steps], baseDir);
  return compilePipeline(steps, { customModules });
}

describe('custom', () => {
  it('calls the named export with the value and params', async () => {
    const fn = await compile({ export: 'region', params: { prefix: 'EMEA-' } });
    expect(fn('N')).toBe('EMEA-North');
    expect(fn(null)).toBeNull(); // NULL passes through without a call
  });
  it('lets the user reject a row with a TransformError', async () => {
    const fn = await compile({ export: 'region' });
    expect(() => fn('W')).toThrow(TransformError);
    try {
      fn('W');
    } catch (err) {
      expect((err as TransformError).reason).toBe('unknown_region');
    }
  });
  it('hands NULL over when the step handles it', async () => {
    expect((await compile({ export: 'nullToUnknown', handles_null: true }))(null)).toBe('unknown');
  });
  it('wraps other failures as custom_failed', async () => {
    const broken = await compile({ export: 'broken' });
    expect(() => broken('x')).toThrow(/custom_failed \(kaboom\)/);
    const forgetful = await compile({ export: 'forgetful' });
    expect(() => forgetful('x')).toThrow(/custom_failed/);
  });
  it('reports missing modules and exports at compile time', async () => {
    await expect(compile({ export: 'nope' })).rejects.toThrow(/step 1 \(custom\).*no function export "nope"/);
    await expect(compile({ export: 'notAFunction' })).rejects.toThrow(/no function export/);
    expect(() => compilePipeline([{ custom: { module: './x.js' } }], {})).toThrow(/not loaded/);
    await expect(loadCustomModules([[{ custom: { module: './missing.js' } }]], baseDir)).rejects.toThrow(/could not be loaded/);
  });
});
