import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../../src/core/types.js';
import type { ColumnProfile, Inclusion, PolymorphicLink, Relationship, TableProfile } from '../../../src/schema/analysis-types.js';
import { inferFkCandidates } from '../../../src/schema/fk-inference.js';
import { findJoinTables } from '../../../src/schema/join-tables.js';
import { pluralize, singularize, TableNames } from '../../../src/schema/naming.js';
import { findPolymorphicPairs } from '../../../src/schema/polymorphic-pairs.js';
import { column, table, textColumn } from '../../helpers/schema-builders.js';

/** A table of text columns, keyed by `id` unless told otherwise. */
const textTable = (name: string, columns: string[], primaryKey?: string[]) =>
  table(
    name,
    columns.map((c) => textColumn(c)),
    { primaryKey },
  );

const crm: DatabaseSchema = {
  tables: [
    textTable('users', ['id', 'user_name', 'reports_to_id']),
    textTable('accounts', ['id', 'name', 'parent_id', 'assigned_user_id', 'created_by', 'modified_user_id']),
    textTable('accounts_cstm', ['id_c', 'tier_c'], ['id_c']),
    textTable('contacts', ['id', 'first_name', 'reports_to_id', 'primary_account_id', 'campaign_id']),
    textTable('opportunities', ['id', 'name', 'amount']),
    textTable('accounts_contacts', ['id', 'account_id', 'contact_id', 'date_modified', 'deleted']),
    textTable('notes', ['id', 'name', 'parent_type', 'parent_id', 'contact_id', 'description']),
    textTable('email_addr_bean_rel', ['id', 'email_address_id', 'bean_id', 'bean_module', 'primary_address']),
    textTable('email_addresses', ['id', 'email_address']),
  ],
};

describe('naming', () => {
  it.each([
    ['account', 'accounts'],
    ['opportunity', 'opportunities'],
    ['address', 'addresses'],
    ['key', 'keys'],
    ['person', 'people'],
    ['box', 'boxes'],
  ])('%s ⇄ %s', (singular, plural) => {
    expect(pluralize(singular)).toBe(plural);
    expect(singularize(plural)).toBe(singular);
  });

  it('finds tables case-insensitively in either number', () => {
    const names = new TableNames(crm.tables);
    expect(names.find('Accounts')?.name).toBe('accounts');
    expect(names.find('Contact')?.name).toBe('contacts');
    expect(names.find('OPPORTUNITY')?.name).toBe('opportunities');
    expect(names.find('Bugs')).toBeUndefined();
  });
});

describe('inferFkCandidates', () => {
  const pairs = crm.tables.flatMap(findPolymorphicPairs);
  const skip = new Set(pairs.map((p) => `${p.table}.${p.idColumn}`));
  const found = inferFkCandidates(crm, skip).map((c) => `${c.table}.${c.column} → ${c.parentTable}.${c.parentColumn}`);

  it('infers references from CRM naming conventions', () => {
    expect(found).toEqual(
      expect.arrayContaining([
        'users.reports_to_id → users.id',
        'accounts.parent_id → accounts.id',
        'accounts.assigned_user_id → users.id',
        'accounts.created_by → users.id',
        'accounts.modified_user_id → users.id',
        'accounts_cstm.id_c → accounts.id',
        'contacts.reports_to_id → contacts.id',
        'contacts.primary_account_id → accounts.id',
        'accounts_contacts.account_id → accounts.id',
        'accounts_contacts.contact_id → contacts.id',
        'notes.contact_id → contacts.id',
        'email_addr_bean_rel.email_address_id → email_addresses.id',
      ]),
    );
  });

  it('leaves alone polymorphic ids, tables that do not exist, and primary keys', () => {
    expect(found.some((f) => f.startsWith('notes.parent_id'))).toBe(false);
    expect(found.some((f) => f.startsWith('email_addr_bean_rel.bean_id'))).toBe(false);
    expect(found.some((f) => f.startsWith('contacts.campaign_id'))).toBe(false);
    expect(found.some((f) => f.startsWith('contacts.id '))).toBe(false);
  });

  it('scores a whole-name match above a trailing-word match', () => {
    const candidates = inferFkCandidates(crm, skip);
    const whole = candidates.find((c) => c.column === 'account_id')!;
    const trailing = candidates.find((c) => c.column === 'primary_account_id')!;
    expect(whole.nameScore).toBeGreaterThan(trailing.nameScore);
  });

  it('ignores columns whose type cannot hold a key', () => {
    const schema: DatabaseSchema = {
      tables: [crm.tables[1], { ...textTable('contacts', ['id']), columns: [textColumn('id'), column('account_id', { kind: 'boolean' })] }],
    };
    expect(inferFkCandidates(schema, new Set()).filter((c) => c.table === 'contacts')).toEqual([]);
  });
});

describe('inferFkCandidates on export headers and module-prefixed tables', () => {
  const refs = (schema: DatabaseSchema) =>
    inferFkCandidates(schema, new Set()).map((c) => `${c.table}.${c.column} → ${c.parentTable}.${c.parentColumn}`);

  it('reads HubSpot-style headers (`Associated Company ID`) and keys (`Record ID`) of files', () => {
    const hubspot: DatabaseSchema = {
      tables: [
        textTable('companies', ['Record ID', 'Company name'], []),
        textTable('contacts', ['Record ID', 'Email', 'Associated Company ID'], []),
        textTable('associations', ['Deal ID', 'Contact ID'], []),
        textTable('deals', ['Record ID', 'Deal Name'], []),
      ],
    };
    expect(refs(hubspot).sort()).toEqual([
      'associations.Contact ID → contacts.Record ID',
      'associations.Deal ID → deals.Record ID',
      'contacts.Associated Company ID → companies.Record ID',
    ]);
  });

  it('finds Odoo-style tables named <module>_<word> (`partner_id` → res_partner), only when one table fits', () => {
    const odoo: DatabaseSchema = {
      tables: [
        textTable('res_partner', ['id', 'name']),
        textTable('crm_lead', ['id', 'partner_id', 'stage_id']),
        textTable('crm_stage', ['id']),
      ],
    };
    expect(refs(odoo).sort()).toEqual(['crm_lead.partner_id → res_partner.id', 'crm_lead.stage_id → crm_stage.id']);
    const ambiguous: DatabaseSchema = { tables: [...odoo.tables, textTable('mail_partner', ['id'])] };
    expect(refs(ambiguous).some((r) => r.startsWith('crm_lead.partner_id'))).toBe(false);
  });
});

describe('findPolymorphicPairs', () => {
  it('pairs <prefix>_id with <prefix>_type / _module', () => {
    expect(crm.tables.flatMap(findPolymorphicPairs)).toEqual([
      { table: 'notes', typeColumn: 'parent_type', idColumn: 'parent_id' },
      { table: 'email_addr_bean_rel', typeColumn: 'bean_module', idColumn: 'bean_id' },
    ]);
    expect(findPolymorphicPairs(textTable('t', ['id', 'relatedId', 'relatedType']))).toEqual([
      { table: 't', typeColumn: 'relatedType', idColumn: 'relatedId' },
    ]);
  });

  it("pairs Odoo's res_id with model / res_model, and names tables by model (`crm.lead`)", () => {
    expect(findPolymorphicPairs(textTable('mail_message', ['id', 'model', 'res_id', 'author_id']))).toEqual([
      { table: 'mail_message', typeColumn: 'model', idColumn: 'res_id' },
    ]);
    expect(findPolymorphicPairs(textTable('ir_attachment', ['id', 'res_model', 'res_id']))).toEqual([
      { table: 'ir_attachment', typeColumn: 'res_model', idColumn: 'res_id' },
    ]);
    expect(new TableNames([textTable('crm_lead', ['id'])]).find('crm.lead')?.name).toBe('crm_lead');
  });
});

describe('findJoinTables', () => {
  const inclusion: Inclusion = {
    checkedRows: 1,
    matchedRows: 1,
    orphanRows: 0,
    share: 1,
    orphanExamples: [],
    sampled: false,
    blankRows: 0,
  };
  const rel = (from: string, to: string, confidence = 0.95): Relationship => {
    const [ft, fc] = from.split('.');
    const [tt, tc] = to.split('.');
    return { kind: 'inferred', from: { table: ft, columns: [fc] }, to: { table: tt, columns: [tc] }, confidence, reason: '', inclusion };
  };
  const beanLink: PolymorphicLink = {
    table: 'email_addr_bean_rel',
    typeColumn: 'bean_module',
    idColumn: 'bean_id',
    targets: [{ typeValue: 'Accounts', table: 'accounts', column: 'id', inclusion }],
    unmatchedTypes: [],
    confidence: 1,
    reason: '',
  };
  /** Profiles where only the named columns are picklists (the rest all-distinct text). */
  const profiles = (picklists: string[]): TableProfile[] =>
    crm.tables.map((t) => ({
      name: t.name,
      rowCount: 10,
      rowCountExact: true,
      rowsProfiled: 10,
      sampled: false,
      primaryKey: t.primaryKey,
      readRejects: 0,
      columns: t.columns.map(
        (c) =>
          ({
            name: c.name,
            distinctCount: picklists.includes(`${t.name}.${c.name}`) ? 2 : 10,
            ...(picklists.includes(`${t.name}.${c.name}`)
              ? {
                  topValues: [
                    { value: '1', count: 5 },
                    { value: '0', count: 5 },
                  ],
                }
              : {}),
          }) as ColumnProfile,
      ),
    }));
  const noteLink: PolymorphicLink = { ...beanLink, table: 'notes', typeColumn: 'parent_type', idColumn: 'parent_id' };
  const relationships = [
    rel('accounts_contacts.account_id', 'accounts.id'),
    rel('accounts_contacts.contact_id', 'contacts.id'),
    rel('notes.contact_id', 'contacts.id'),
    rel('accounts.assigned_user_id', 'users.id'),
    rel('accounts.parent_id', 'accounts.id'),
    rel('email_addr_bean_rel.email_address_id', 'email_addresses.id'),
  ];

  it('finds two-reference link tables, plain and polymorphic', () => {
    const joins = findJoinTables(crm, profiles(['email_addr_bean_rel.primary_address']), relationships, [beanLink, noteLink]);
    expect(joins.map((j) => j.table)).toEqual(['accounts_contacts', 'email_addr_bean_rel']);
    expect(joins[0]).toMatchObject({
      sides: [
        { column: 'account_id', tables: ['accounts'] },
        { column: 'contact_id', tables: ['contacts'] },
      ],
      extraColumns: [],
      confidence: 1,
    });
    expect(joins[1]).toMatchObject({
      sides: [
        { column: 'email_address_id', tables: ['email_addresses'] },
        { column: 'bean_id', typeColumn: 'bean_module', tables: ['accounts'] },
      ],
      extraColumns: ['primary_address'],
    });
  });

  it('does not take entity tables, audit users or weak references for sides', () => {
    const weak = [rel('accounts_contacts.account_id', 'accounts.id', 0.3), rel('accounts_contacts.contact_id', 'contacts.id')];
    expect(findJoinTables(crm, profiles([]), weak, [])).toEqual([]);
    const wide: DatabaseSchema = { tables: [textTable('links', ['id', 'account_id', 'contact_id', 'a', 'b', 'c'])] };
    const links = [rel('links.account_id', 'accounts.id'), rel('links.contact_id', 'contacts.id')];
    expect(findJoinTables(wide, profiles([]), links, [])).toEqual([]);
  });

  it('takes a table with free-text attributes (a note) for an entity, not a link', () => {
    // notes: contact_id + parent_type/parent_id, but also name and description.
    expect(findJoinTables(crm, profiles(['notes.name', 'notes.description']), relationships, [noteLink]).map((j) => j.table)).toContain(
      'notes',
    );
    expect(findJoinTables(crm, profiles([]), relationships, [noteLink]).map((j) => j.table)).not.toContain('notes');
  });
});
