import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../../src/core/types.js';
import { MODERN_CRM } from '../../../src/mapping/models/modern-crm.js';
import { compilePlan } from '../../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../../src/mapping/project/load-project.js';
import { nameKey, nameWords } from '../../../src/mapping/suggest/names.js';
import { renderSuggestion } from '../../../src/mapping/suggest/render-suggestion.js';
import { suggestMapping } from '../../../src/mapping/suggest/suggest-mapping.js';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import type { Analysis, ColumnProfile, TableProfile, ValueCount } from '../../../src/schema/analysis-types.js';

function column(name: string, extra: Partial<ColumnProfile> = {}, type: CanonicalType = { kind: 'text' }): ColumnProfile {
  return {
    name,
    type,
    nativeType: 'text',
    nullable: true,
    nullCount: 0,
    nullShare: 0,
    emptyCount: 0,
    untrimmedCount: 0,
    distinctCount: 5,
    distinctExact: true,
    patterns: [],
    candidateKey: false,
    duplicateValues: 0,
    duplicatesExact: true,
    ...extra,
  };
}

const table = (name: string, columns: ColumnProfile[]): TableProfile => ({
  name,
  rowCount: 5,
  rowCountExact: true,
  rowsProfiled: 5,
  sampled: false,
  primaryKey: [],
  readRejects: 0,
  columns,
});

const values = (...v: string[]): ValueCount[] => v.map((value) => ({ value, count: 1 }));

/** Every value of a reference found in its parent. */
const FOUND = { checkedRows: 5, matchedRows: 5, orphanRows: 0, share: 1, orphanExamples: [], sampled: false, blankRows: 0 };

/** A HubSpot-style export: companies and deals files with human headers and no declared keys. */
const ANALYSIS: Analysis = {
  version: 1,
  source: { connector: 'csv', displayName: 'export/' },
  generatedAt: '2024-01-01T00:00:00Z',
  sampled: false,
  relationships: [],
  joinTables: [],
  polymorphic: [],
  tables: [
    table('hubspot-companies', [
      column('Record ID', { candidateKey: true }),
      column('Company name'),
      column('Phone Number', { patterns: [{ name: 'phone', matches: 5, share: 1 }] }),
      column('City'),
      column('Webside', { patterns: [{ name: 'url', matches: 2, share: 0.4 }] }),
    ]),
    table('hubspot-deals', [
      column('Record ID', { candidateKey: true }),
      column('Deal Name'),
      column('Deal Stage', { topValues: values('appointmentscheduled', 'closedwon', 'Stalled') }),
      column('Close Date', { inferredType: { kind: 'date' }, inferredFormat: 'MM/DD/YYYY' }),
      column('Amount', { inferredType: { kind: 'decimal' }, inferredFormat: 'currency' }),
      column('Associated Company'),
    ]),
  ],
};

const report = suggestMapping(ANALYSIS, { model: MODERN_CRM });
const text = renderSuggestion(report, { sourceUrl: 'export/', targetUrl: 'sqlite:modern.db', targetLabel: 'modern', threshold: 0.6 });
const project = parseProject(text, 'crmbridge.yaml');

describe('suggestMapping on a HubSpot-style export', () => {
  it('writes a file that validates and compiles', () => {
    expect(() => compilePlan(project)).not.toThrow();
  });

  it('matches objects and fields by CRM vocabulary', () => {
    expect(project.objects.companies.source.table).toBe('hubspot-companies');
    expect(project.objects.companies.fields.name).toBe('Company name');
    expect(project.objects.companies.fields.address_city).toBe('City');
    expect(project.objects.opportunities.fields.name).toBe('Deal Name');
    expect(project.objects.opportunities.fields.close_date).toEqual({
      from: 'Close Date',
      // the analysis's date-us accepts one-digit months and days: the transform must too
      transform: [{ date: { formats: ['M/D/YYYY'] } }],
    });
    expect(project.objects.opportunities.fields.amount).toEqual({ from: 'Amount', transform: ['money'] });
    expect(project.objects.opportunities.fields.company_id).toEqual({ from: 'Associated Company', ref: 'companies' });
  });

  it('keys objects with a derived uuid when the source ids are not UUIDs', () => {
    expect(project.objects.companies.target.generateKey).toBe('uuid');
    expect(project.objects.companies.source.key).toBe('Record ID');
  });

  it('maps every picklist value it can and leaves the unknown one to a person', () => {
    expect(project.objects.opportunities.fields.stage).toEqual({
      from: 'Deal Stage',
      transform: [{ picklist: { map: { appointmentscheduled: 'new', closedwon: 'won' } } }],
    });
    expect(text).toMatch(/# TODO "Stalled" \(1 rows\)/);
  });

  it('writes a suggestion under the threshold commented out, with its reason', () => {
    expect(project.objects.companies.fields.website).toBeUndefined();
    expect(text).toMatch(/# 0\.5\d similar name \(0\.86\) \(below the threshold\)\n\s*# website:\n\s*# {3}from: Webside/);
    expect(report.objects.find((o) => o.name === 'companies')!.fields.find((f) => f.target === 'website')!.accepted).toBe(false);
  });

  it('gives every accepted suggestion a confidence comment', () => {
    expect(text).toMatch(/# 0\.9\d known synonym in CRM vocabularies\n\s+name: Company name/);
  });

  it('reports unmapped required fields and source columns', () => {
    expect(report.unmappedSource).toContainEqual({ table: 'hubspot-companies', column: 'Webside' });
    expect(report.unmappedRequired).toEqual([]);
  });
});

describe('names', () => {
  it.each([
    ['BillingCity', ['billing', 'city']],
    ['billing_address_city', ['billing', 'address', 'city']],
    ['Billing City', ['billing', 'city']],
    ['Probability (%)', ['probability']],
    ['HTTPStatus', ['http', 'status']],
  ])('%s', (name, words) => expect(nameWords(name)).toEqual(words));

  it('gives one key for every spelling', () => {
    expect(new Set(['postal_code', 'PostalCode', 'Postal Code', 'postalcode'].map(nameKey)).size).toBe(1);
  });
});

describe('suggestMapping on the dirt of a real export', () => {
  const rel = (from: string, fromColumn: string, to: string) => ({
    kind: 'inferred' as const,
    from: { table: from, columns: [fromColumn] },
    to: { table: to, columns: ['Record ID'] },
    confidence: 0.91,
    reason: 'test',
    inclusion: FOUND,
  });
  const link = (table: string, a: string, aTable: string, b: string, bTable: string, confidence: number) => ({
    table,
    sides: [
      { column: a, tables: [aTable] },
      { column: b, tables: [bTable] },
    ] as const,
    extraColumns: [],
    confidence,
    reason: 'two references',
  });
  const created = column('Create Date', {
    // 599 of 600 values are US date-times; one is "13/45/2021 10:00"
    nonConforming: {
      pattern: 'timestamp MM/DD/YYYY HH:MM:SS',
      type: { kind: 'timestamp', format: 'MM/DD/YYYY HH:MM:SS', share: 599 / 600 },
      count: 1,
      examples: ['13/45/2021 10:00'],
    },
  });
  const dirty: Analysis = {
    ...ANALYSIS,
    tables: [
      table('contacts', [column('Record ID', { candidateKey: true }), column('First Name'), created]),
      table('deals', [column('Record ID', { candidateKey: true }), column('Deal Name')]),
      table('associations', [column('Deal ID'), column('Contact ID')]),
    ],
    relationships: [rel('associations', 'Deal ID', 'deals'), rel('associations', 'Contact ID', 'contacts')],
    joinTables: [link('associations', 'Deal ID', 'deals', 'Contact ID', 'contacts', 0.7)],
  };
  const dirtyReport = suggestMapping(dirty, { model: MODERN_CRM });
  const people = dirtyReport.objects.find((o) => o.name === 'people')!;

  it('parses a column whose values are nearly all date-times with their format, so only the bad value rejects', () => {
    const field = people.fields.find((f) => f.target === 'created_at')!;
    expect(field.accepted).toBe(true);
    const fn = compilePipeline(field.spec.transform ?? [], {});
    // one-digit month and day, no seconds, AM/PM: all are what the analysis counted as conforming
    expect(fn('09/16/2021 00:50')).toBe('2021-09-16T00:50:00.000000Z');
    expect(fn('3/4/2021 2:05 PM')).toBe('2021-03-04T14:05:00.000000Z');
    expect(fn('12/31/2020 23:59:58')).toBe('2020-12-31T23:59:58.000000Z');
    expect(() => fn('13/45/2021 10:00')).toThrow(/invalid_date|no_match|format/);
  });

  it('does not load a deal-contact join table into notes when the model has no link table for it', () => {
    expect(dirtyReport.objects.map((o) => o.source.table)).not.toContain('associations');
    expect(dirtyReport.unmappedTables).toContain('associations');
  });

  it('keys a link file with no id column by its two references', () => {
    const linked = suggestMapping(
      {
        ...dirty,
        tables: [
          table('contacts', [column('Record ID', { candidateKey: true }), column('First Name')]),
          table('companies', [column('Record ID', { candidateKey: true }), column('Company name')]),
          table('affiliations', [column('Company ID'), column('Contact ID')]),
        ],
        relationships: [rel('affiliations', 'Company ID', 'companies'), rel('affiliations', 'Contact ID', 'contacts')],
        joinTables: [link('affiliations', 'Company ID', 'companies', 'Contact ID', 'contacts', 0.9)],
      },
      { model: MODERN_CRM },
    );
    const object = linked.objects.find((o) => o.source.table === 'affiliations')!;
    expect(object.target.table).toBe('company_people');
    expect(object.source.key).toEqual(['Company ID', 'Contact ID']);
  });
});

describe('suggestMapping on an Odoo-style partner table', () => {
  const bool = (name: string) => column(name, { topValues: values('true', 'false') }, { kind: 'boolean' });
  const odoo: Analysis = {
    ...ANALYSIS,
    tables: [
      {
        ...table('res_partner', [
          column('id', { candidateKey: true }, { kind: 'bigint' }),
          column('name', { untrimmedCount: 2 }),
          bool('is_company'),
          column('parent_id', {}, { kind: 'bigint' }),
          column('commercial_partner_id', {}, { kind: 'bigint' }),
          column('email', { patterns: [{ name: 'email', matches: 5, share: 1 }] }),
        ]),
        primaryKey: ['id'],
      },
      {
        ...table('mail_message', [
          column('id', { candidateKey: true }, { kind: 'bigint' }),
          column('model', { topValues: values('res.partner') }),
          column('res_id', {}, { kind: 'bigint' }),
          column('body'),
        ]),
        primaryKey: ['id'],
      },
    ],
    polymorphic: [
      {
        table: 'mail_message',
        typeColumn: 'model',
        idColumn: 'res_id',
        targets: [
          {
            typeValue: 'res.partner',
            table: 'res_partner',
            column: 'id',
            inclusion: FOUND,
          },
        ],
        unmatchedTypes: [],
        confidence: 1,
        reason: 'test',
      },
    ],
    relationships: (['inferred', 'declared'] as const).map((kind) => ({
      kind,
      from: { table: 'res_partner', columns: [kind === 'declared' ? 'parent_id' : 'commercial_partner_id'] },
      to: { table: 'res_partner', columns: ['id'] },
      confidence: kind === 'declared' ? 1 : 0.85,
      reason: 'test',
      inclusion: FOUND,
    })),
  };
  const split = suggestMapping(odoo, { model: MODERN_CRM });
  const odooProject = parseProject(
    renderSuggestion(split, { sourceUrl: 'postgres://h/odoo', targetUrl: 'sqlite:modern.db', targetLabel: 'modern', threshold: 0.6 }),
    'crmbridge.yaml',
  );

  it('splits a table of companies and people by its is_company flag into two filtered objects', () => {
    expect(odooProject.objects.companies.source).toMatchObject({ table: 'res_partner', filter: 'is_company' });
    expect(odooProject.objects.people.source).toMatchObject({ table: 'res_partner', filter: 'NOT is_company' });
    expect(() => compilePlan(odooProject)).not.toThrow();
  });

  it('gives a person their company through the declared self-reference, and first and last name from the full name', () => {
    expect(odooProject.objects.people.fields.company_id).toEqual({ from: 'parent_id', ref: 'companies' });
    expect(odooProject.objects.people.fields.first_name).toEqual({ from: 'name', transform: ['trim', { name: 'first' }] });
    expect(odooProject.objects.people.fields.last_name).toEqual({ from: 'name', transform: ['trim', { name: 'last' }] });
  });

  it('links a polymorphic reference to a split table to both halves, a miss in one being NULL', () => {
    expect(odooProject.objects.notes.fields.company_id).toEqual({
      from: 'res_id',
      ref: { object: 'companies', when: { model: 'res.partner' }, onMissing: 'null' },
    });
    expect(odooProject.objects.notes.fields.person_id).toEqual({
      from: 'res_id',
      ref: { object: 'people', when: { model: 'res.partner' }, onMissing: 'null' },
    });
  });

  it('lists a split table’s unmapped columns once, and not its flag', () => {
    const unmapped = split.unmappedSource.filter((u) => u.table === 'res_partner').map((u) => u.column);
    expect(unmapped).toEqual(['commercial_partner_id']);
  });

  it('trims a plain text copy of values with stray spaces', () => {
    expect(odooProject.objects.companies.fields.name).toEqual({ from: 'name', transform: ['trim'] });
  });
});
