import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../src/core/types.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { dependencyOrder } from '../../src/mapping/plan/dependency-order.js';
import { preflight } from '../../src/mapping/plan/preflight.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { column, table, textColumn } from '../helpers/schema-builders.js';

const project = (objects: string) => `source: { url: "sqlite:a.db" }\ntarget: { url: "sqlite:b.db" }\nobjects:\n${objects}`;

describe('dependency order', () => {
  it('puts parents first and defers self-references to the second pass', () => {
    const { order, deferred } = dependencyOrder(
      ['notes', 'people', 'companies'],
      [
        { from: 'notes', to: 'people', field: 'person_id', nullable: true },
        { from: 'people', to: 'companies', field: 'company_id', nullable: true },
        { from: 'companies', to: 'companies', field: 'parent_id', nullable: true },
      ],
    );
    expect(order).toEqual(['companies', 'people', 'notes']);
    expect([...deferred]).toEqual(['companies.parent_id']);
  });

  it('breaks a cycle between objects on its nullable edge', () => {
    const { order, deferred } = dependencyOrder(
      ['a', 'b'],
      [
        { from: 'a', to: 'b', field: 'b_id', nullable: false },
        { from: 'b', to: 'a', field: 'a_id', nullable: true },
      ],
    );
    expect([...deferred]).toEqual(['b.a_id']);
    expect(order).toEqual(['b', 'a']);
  });

  it('refuses a cycle of required references with CRM_M5004', () => {
    expect(() =>
      dependencyOrder(
        ['a', 'b'],
        [
          { from: 'a', to: 'b', field: 'b_id', nullable: false },
          { from: 'b', to: 'a', field: 'a_id', nullable: false },
        ],
      ),
    ).toThrow(expect.objectContaining({ code: 'CRM_M5004' }));
  });
});

describe('project file', () => {
  it('names file:line:column for an unknown key', () => {
    const text = project(
      '  people:\n    source: { table: contacts, key: id }\n    target: { table: people, key: id }\n    fields: { id: id }\n    mdoe: upsert\n',
    );
    expect(() => parseProject(text, 'crmbridge.yaml')).toThrow(
      expect.objectContaining({
        code: 'CRM_M5001',
        location: expect.objectContaining({ file: 'crmbridge.yaml', line: 8, column_number: 5 }),
      }),
    );
  });

  it('refuses a password written into a URL, and accepts an ${env:…} reference', () => {
    const withSecret = (url: string) => `source: { url: "${url}" }\ntarget: { url: "sqlite:b.db" }\nobjects: {}\n`;
    expect(() => parseProject(withSecret('postgres://u:hunter22@h/db'), 'p.yaml')).toThrow(/\$\{env:NAME\}/);
    expect(() => parseProject(withSecret('postgres://u:hunter22@h/db'), 'p.yaml')).not.toThrow(/hunter22/);
    expect(parseProject(withSecret('postgres://u:${env:PW}@h/db'), 'p.yaml').source.url).toBe('postgres://u:${env:PW}@h/db');
  });

  it('compiles to a frozen plan whose hash changes with the mapping', () => {
    const a = compilePlan(
      parseProject(
        project(
          '  people:\n    source: { table: contacts, key: id }\n    target: { table: people, key: id }\n    fields: { id: id, name: last_name }\n',
        ),
        'p.yaml',
      ),
    );
    const b = compilePlan(
      parseProject(
        project(
          '  people:\n    source: { table: contacts, key: id }\n    target: { table: people, key: id }\n    fields: { id: id, name: first_name }\n',
        ),
        'p.yaml',
      ),
    );
    expect(Object.isFrozen(a.objects[0].fields[0])).toBe(true);
    expect(a.hash).not.toBe(b.hash);
    expect(a.objects[0].source.columns).toEqual(['id', 'last_name']);
  });

  it('refuses a reference to an undeclared object with CRM_M5007', () => {
    const text = project(
      '  people:\n    source: { table: contacts, key: id }\n    target: { table: people, key: id }\n    fields: { id: id, company_id: { from: account_id, ref: companies } }\n',
    );
    expect(() => compilePlan(parseProject(text, 'p.yaml'))).toThrow(expect.objectContaining({ code: 'CRM_M5007' }));
  });
});

describe('pre-flight', () => {
  const source: DatabaseSchema = {
    tables: [table('deals', [textColumn('id', false), textColumn('stage'), column('blob', { kind: 'binary' }), textColumn('amount')])],
  };
  const target: DatabaseSchema = {
    tables: [
      table('opportunities', [textColumn('id', false), textColumn('stage'), column('born', { kind: 'date' }), textColumn('name', false)]),
    ],
  };
  const plan = (fields: string, extra = '') =>
    compilePlan(
      parseProject(
        project(
          `  opportunities:\n    source: { table: deals, key: id }\n    target: { table: opportunities, key: id }\n    fields:\n${fields}${extra}`,
        ),
        'p.yaml',
      ),
    );

  it('finds missing source columns, unmapped required target columns and impossible conversions', () => {
    const problems = preflight(plan('      id: id\n      stage: stagee\n      born: blob\n'), { source, target });
    const codes = problems.map((p) => `${p.code}:${p.field ?? ''}`);
    expect(codes).toContain('CRM_M5002:stage');
    expect(codes).toContain('CRM_M5003:name');
    expect(codes).toContain('CRM_M5005:born');
  });

  it('names invalid transform params as an invalid project file (CRM_M5001), not an unknown transform', () => {
    const problems = preflight(
      plan('      id: id\n      name: id\n      stage: { from: stage, transform: [{ email: { on_invalid: maybe } }] }\n'),
      {
        source,
        target,
      },
    );
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'CRM_M5001' })]);
    expect(problems[0].message).toMatch(/invalid params .*expected email: \{ on_invalid\?: reject \| null \}/);
  });

  it('lists picklist values with no mapping: an error, or a warning when rejection is declared', () => {
    const distinct = () => ['Won', 'Lost', 'Stalled'];
    const mapped =
      '      id: id\n      name: id\n      stage: { from: stage, transform: [{ picklist: { map: { Won: won, Lost: lost } } }] }\n';
    const [error] = preflight(plan(mapped), { source, target, distinctValues: distinct });
    expect(error).toMatchObject({ severity: 'error', code: 'CRM_M5008' });
    expect(error.message).toContain('"Stalled"');
    const declared = mapped.replace('Lost: lost }', 'Lost: lost }, unmapped: reject');
    expect(preflight(plan(declared), { source, target, distinctValues: distinct })).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'CRM_M5008' }),
    ]);
  });
});
