import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { designTargetSchema } from '../../../src/mapping/design/design-target.js';
import { parseTypeText } from '../../../src/mapping/design/type-text.js';
import { modelSchemas } from '../../../src/mapping/models/model-types.js';
import { MODERN_CRM } from '../../../src/mapping/models/modern-crm.js';
import { compilePlan } from '../../../src/mapping/plan/compile-plan.js';
import { loadProject, parseProject } from '../../../src/mapping/project/load-project.js';
import type { Analysis, ColumnProfile } from '../../../src/schema/analysis-types.js';
import { column, table } from '../../helpers/schema-builders.js';

const SOURCE = {
  tables: [
    table('orgs', [
      column('id', { kind: 'integer' }, false),
      column('title', { kind: 'text', length: 200 }),
      column('founded', { kind: 'text', length: 20 }),
    ]),
    table('folks', [
      column('id', { kind: 'text', length: 36 }, false),
      column('mail', { kind: 'text', length: 255 }),
      column('org', { kind: 'integer' }),
      column('revenue', { kind: 'text', length: 40 }),
      column('vip', { kind: 'text', length: 3 }),
      column('tags', { kind: 'text' }),
      column('level', { kind: 'text', length: 50 }),
      column('seen', { kind: 'text', length: 30 }),
      column('score', { kind: 'integer' }),
      column('notes', { kind: 'text' }),
    ]),
  ],
};

function profile(name: string, extra: Partial<ColumnProfile>): ColumnProfile {
  return {
    name,
    type: { kind: 'text' },
    nativeType: 'text',
    nullable: true,
    nullCount: 0,
    nullShare: 0,
    emptyCount: 0,
    untrimmedCount: 0,
    distinctCount: 10,
    distinctExact: true,
    patterns: [],
    candidateKey: false,
    duplicateValues: 0,
    duplicatesExact: true,
    ...extra,
  };
}

const ANALYSIS: Analysis = {
  version: 1,
  source: { connector: 'sqlite', displayName: 'test' },
  generatedAt: '2024-01-01T00:00:00Z',
  sampled: false,
  relationships: [],
  joinTables: [],
  polymorphic: [],
  tables: [
    {
      name: 'folks',
      rowCount: 10,
      rowCountExact: true,
      rowsProfiled: 10,
      sampled: false,
      primaryKey: ['id'],
      readRejects: 0,
      columns: [
        profile('id', { patterns: [{ name: 'uuid', matches: 10, share: 1 }], maxLength: 36 }),
        profile('mail', { maxLength: 30 }),
        profile('revenue', { min: '-12.5', max: '1234567.891', maxLength: 14 }),
      ],
    },
  ],
};

const PROJECT = `
source: { url: "sqlite:a.db" }
target: { url: "sqlite:b.db" }
objects:
  organisations:
    source: { table: orgs, key: id }
    target: { table: organisations, key: id, generateKey: uuid }
    fields:
      name: title
      founded: { from: founded, type: "decimal(4,0)" }
  persons:
    source: { table: folks, key: id }
    target: { table: persons, key: id }
    fields:
      id: id
      email: { from: mail, transform: [email] }
      organisation_id: { from: org, ref: organisations }
      revenue: { from: revenue, transform: [money] }
      vip: { from: vip, transform: [boolean] }
      tags: { from: tags, transform: [{ multiselect: { format: sugar } }] }
      level: { from: level, transform: [{ picklist: { map: { Gold: gold, Silver: silver, Tin: null }, default: other } }] }
      seen_at: { from: seen, transform: [{ timestamp: { formats: ["MM/DD/YYYY HH:mm"] } }] }
      seen_local: { from: seen, transform: [{ timestamp: { output: timestamp } }] }
      seen_day: { from: seen, transform: [{ date: "MM/DD/YYYY" }] }
      score: score
      notes: notes
      kind: { value: person }
      short_notes: { from: notes, transform: [{ truncate: 100 }] }
`;

const designed = designTargetSchema(compilePlan(parseProject(PROJECT, 'crmbridge.yaml')), SOURCE, ANALYSIS);
const typeOf = (t: string, c: string) => designed.find((x) => x.name === t)!.columns.find((x) => x.name === c)!.type;

describe('designTargetSchema', () => {
  it('uses a declared type first', () => {
    expect(typeOf('organisations', 'founded')).toEqual({ kind: 'decimal', precision: 4, scale: 0 });
  });

  it('types a generated key as uuid and a text key whose values are all UUIDs as uuid', () => {
    expect(typeOf('organisations', 'id')).toEqual({ kind: 'uuid' });
    expect(typeOf('persons', 'id')).toEqual({ kind: 'uuid' });
    expect(designed.find((t) => t.name === 'persons')!.primaryKey).toEqual(['id']);
  });

  it('sizes text from the data with a margin, or from the source column without an analysis', () => {
    expect(typeOf('persons', 'email')).toEqual({ kind: 'text', length: 64 });
    expect(typeOf('organisations', 'name')).toEqual({ kind: 'text', length: 200 });
    expect(typeOf('persons', 'short_notes')).toEqual({ kind: 'text', length: 100 });
  });

  it('takes the type the last transform produces', () => {
    expect(typeOf('persons', 'revenue')).toEqual({ kind: 'decimal', precision: 12, scale: 3 });
    expect(typeOf('persons', 'vip')).toEqual({ kind: 'boolean' });
    expect(typeOf('persons', 'tags')).toEqual({ kind: 'multiselect' });
    expect(typeOf('persons', 'level')).toEqual({ kind: 'enum', values: ['gold', 'silver', 'other'] });
    expect(typeOf('persons', 'seen_at')).toEqual({ kind: 'timestamptz' });
    expect(typeOf('persons', 'seen_local')).toEqual({ kind: 'timestamp' });
    expect(typeOf('persons', 'seen_day')).toEqual({ kind: 'date' });
  });

  it('falls back to the source column type, and types constants by their value', () => {
    expect(typeOf('persons', 'score')).toEqual({ kind: 'integer' });
    expect(typeOf('persons', 'notes')).toEqual({ kind: 'text' });
    expect(typeOf('persons', 'kind')).toEqual({ kind: 'text', length: 16 });
  });

  it('gives a reference the referenced key type, a nullable column, a foreign key and an index', () => {
    const persons = designed.find((t) => t.name === 'persons')!;
    expect(typeOf('persons', 'organisation_id')).toEqual({ kind: 'uuid' });
    expect(persons.columns.find((c) => c.name === 'organisation_id')!.nullable).toBe(true);
    expect(persons.foreignKeys).toEqual([
      { name: 'fk_persons_organisation_id', columns: ['organisation_id'], referencedTable: 'organisations', referencedColumns: ['id'] },
    ]);
    expect(persons.indexes.map((i) => i.columns)).toEqual([['organisation_id']]);
  });

  it('designs the modern model tables as the model declares them for the shipped mapping', async () => {
    const file = fileURLToPath(new URL('../../../examples/legacy-to-modern/crmbridge.yaml', import.meta.url));
    const plan = compilePlan((await loadProject(file)).project);
    const tables = designTargetSchema(plan, { tables: [] });
    const model = new Map(modelSchemas(MODERN_CRM).map((t) => [t.name, t]));
    expect(tables.map((t) => t.name).sort()).toEqual([
      'companies',
      'company_people',
      'leads',
      'notes',
      'opportunities',
      'people',
      'tasks',
      'users',
    ]);
    for (const t of tables) expect(t).toEqual(model.get(t.name));
    expect(tables.find((t) => t.name === 'opportunities')!.columns.find((c) => c.name === 'stage')!.type).toEqual({
      kind: 'enum',
      values: ['new', 'qualified', 'proposal', 'negotiation', 'won', 'lost'],
    });
  });
});

describe('designTargetSchema on part of the modern model', () => {
  const plan = compilePlan(
    parseProject(
      [
        'version: 1',
        'source: { url: "export/" }',
        'target: { url: "sqlite:modern.db" }',
        'objects:',
        '  companies:',
        '    source: { table: companies, key: "Record ID" }',
        '    target: { table: companies, key: id, generateKey: uuid }',
        '    fields: { name: "Company name" }',
      ].join('\n'),
      'crmbridge.yaml',
    ),
  );

  it('leaves out a foreign key to a table neither the plan loads nor the target has (owner_id → users)', () => {
    const [companies] = designTargetSchema(plan, { tables: [] });
    expect(companies.columns.some((c) => c.name === 'owner_id')).toBe(true);
    expect(companies.foreignKeys.map((fk) => fk.referencedTable)).toEqual(['companies']);
  });

  it('keeps it when the target already has that table', () => {
    const [companies] = designTargetSchema(plan, { tables: [] }, undefined, { existingTables: new Set(['users']) });
    expect(companies.foreignKeys.map((fk) => fk.referencedTable).sort()).toEqual(['companies', 'users']);
  });
});

describe('parseTypeText', () => {
  it.each([
    ['decimal(18,2)', { kind: 'decimal', precision: 18, scale: 2 }],
    ['varchar(80)', { kind: 'text', length: 80 }],
    ['TIMESTAMPTZ', { kind: 'timestamptz' }],
    ['enum(New, Won)', { kind: 'enum', values: ['New', 'Won'] }],
    ['multiselect', { kind: 'multiselect' }],
  ])('%s', (text, type) => expect(parseTypeText(text)).toEqual(type));

  it('names the canonical types when the text is none of them', () => {
    expect(() => parseTypeText('money')).toThrow(/not a canonical type/);
  });
});
