import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelSchemas } from '../../../src/mapping/models/model-types.js';
import { MODERN_CRM } from '../../../src/mapping/models/modern-crm.js';
import { compilePlan } from '../../../src/mapping/plan/compile-plan.js';
import { loadProject } from '../../../src/mapping/project/load-project.js';
import { compileObjectMapper } from '../../../src/mapping/row-mapper.js';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { builtinRegistry } from '../../../src/mapping/transforms/registry.js';
import { LEGACY_PICKLISTS, OFF_LIST_VALUES } from '../../../src/sample/picklists.js';

const PROJECT = fileURLToPath(new URL('../../../examples/legacy-to-modern/crmbridge.yaml', import.meta.url));

describe('examples/legacy-to-modern/crmbridge.yaml', async () => {
  const { project } = await loadProject(PROJECT);
  const plan = compilePlan(project);
  const ctx = { timeZone: plan.source.timeZone, defaultCountry: plan.options.defaultCountry, locale: plan.options.locale };

  it('loads, compiles, and every object compiles to a row mapper', () => {
    expect(plan.objects.map((o) => o.name).sort()).toEqual(
      ['calls', 'companies', 'company_people', 'leads', 'notes', 'opportunities', 'people', 'tasks', 'users'].sort(),
    );
    for (const object of plan.objects) expect(compileObjectMapper(object, ctx).targetColumns.length).toBeGreaterThan(1);
  });

  it('writes only columns of the modern model, and every required model column', () => {
    const tables = new Map(modelSchemas(MODERN_CRM).map((t) => [t.name, t]));
    for (const object of plan.objects) {
      const table = tables.get(object.target.table);
      expect(table, object.name).toBeDefined();
      const names = table!.columns.map((c) => c.name);
      for (const column of object.target.columns) expect(names, `${object.name}.${column}`).toContain(column);
      const required = table!.columns.filter((c) => !c.nullable).map((c) => c.name);
      for (const column of required) expect(object.target.columns, `${object.name} misses ${column}`).toContain(column);
    }
  });

  it('loads parents before children and defers the self-references', () => {
    const order = plan.objects.map((o) => o.name);
    expect(order.indexOf('companies')).toBeLessThan(order.indexOf('people'));
    expect(order.indexOf('people')).toBeLessThan(order.indexOf('company_people'));
    expect(order.indexOf('opportunities')).toBeLessThan(order.indexOf('notes'));
    expect(plan.objects.find((o) => o.name === 'companies')!.deferredFields).toEqual(['parent_company_id']);
    expect(plan.objects.find((o) => o.name === 'people')!.deferredFields).toEqual(['reports_to_id']);
  });

  it('maps every sales stage the generator emits except the unknown Stalled, which rejects', () => {
    const stage = plan.objects.find((o) => o.name === 'opportunities')!.fields.find((f) => f.target === 'stage')!;
    const fn = compilePipeline(stage.steps, ctx, { registry: builtinRegistry });
    const emitted = [...LEGACY_PICKLISTS['opportunities.sales_stage'], ...(OFF_LIST_VALUES['opportunities.sales_stage'] ?? [])];
    const mapped = emitted.filter((v) => v !== 'Stalled').map((v) => fn(v));
    expect(mapped).not.toContain(null);
    expect(fn('closed won')).toBe('won');
    expect(fn('Closed Won ')).toBe('won');
    expect(() => fn('Stalled')).toThrow(/unmapped_value/);
  });

  it('maps every lead status the generator emits', () => {
    const status = plan.objects.find((o) => o.name === 'leads')!.fields.find((f) => f.target === 'status')!;
    const fn = compilePipeline(status.steps, ctx);
    for (const v of [...LEGACY_PICKLISTS['leads.status'], ...(OFF_LIST_VALUES['leads.status'] ?? []), ''])
      expect(() => fn(v), v).not.toThrow();
  });

  it('reads the free-text annual revenue forms as US dollars', () => {
    const fields = plan.objects.find((o) => o.name === 'companies')!.fields;
    const amount = compilePipeline(fields.find((f) => f.target === 'annual_revenue')!.steps, ctx);
    const currency = compilePipeline(fields.find((f) => f.target === 'annual_revenue_currency')!.steps, ctx);
    expect(['$12,000,000', '12000000', '12M', '12 million', '~12M USD'].map((v) => amount(v))).toEqual(Array(5).fill('12000000'));
    expect(currency('~12M USD')).toBe('USD');
    expect(amount('')).toBeNull();
  });

  it('keeps a garbage phone as written and normalises a real one to E.164', () => {
    const phone = compilePipeline(
      plan.objects.find((o) => o.name === 'people')!.fields.find((f) => f.target === 'primary_phone')!.steps,
      ctx,
    );
    expect(phone('(415) 555-0100')).toBe('+14155550100');
    expect(phone('n/a')).toBe('n/a');
  });

  it('reads Sugar datetimes as UTC', () => {
    const created = compilePipeline(
      plan.objects.find((o) => o.name === 'notes')!.fields.find((f) => f.target === 'created_at')!.steps,
      ctx,
    );
    expect(created('2020-03-04 05:06:07')).toBe('2020-03-04T05:06:07.000000Z');
  });
});
