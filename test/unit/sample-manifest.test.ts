import validator from 'validator';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../src/core/types.js';
import {
  DEFAULT_CURRENCY_ID,
  generateLegacyCrm,
  LEGACY_PICKLISTS,
  LEGACY_TABLE_NAMES,
  type LegacyCrmManifest,
  type LegacyCrmSample,
  type LegacyTable,
  PHONE_FORMATS,
} from '../../src/sample/index.js';

type Obj = Record<string, Value>;

/** The whole (small) sample as objects, table by table. */
function materialize(sample: LegacyCrmSample): Record<LegacyTable, Obj[]> {
  const out = {} as Record<LegacyTable, Obj[]>;
  for (const table of LEGACY_TABLE_NAMES) {
    out[table] = [];
    for (const batch of sample.batches(table)) {
      for (const row of batch.rows) out[table].push(Object.fromEntries(batch.columns.map((c, i) => [c, row[i]])));
    }
  }
  return out;
}

/** Counts per key, dropping zeros, so it compares with a manifest record. */
function tally(keys: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Every (table.column, value) of the sample. */
function* cells(data: Record<LegacyTable, Obj[]>): Iterable<[string, Value]> {
  for (const table of LEGACY_TABLE_NAMES)
    for (const row of data[table]) for (const [column, value] of Object.entries(row)) yield [`${table}.${column}`, value];
}

const PHONE_PATTERNS: readonly [string, RegExp][] = [
  ['parentheses', /^\(\d{3}\) \d{3}-\d{4}$/],
  ['extension', /^\(\d{3}\) \d{3}-\d{4} ext\. \d+$/],
  ['dotted', /^\d{3}\.\d{3}\.\d{4}$/],
  ['international', /^\+1 \d{3} \d{3} \d{4}$/],
  ['digits', /^\d{10}$/],
  ['dashed', /^\d{3}-\d{3}-\d{4}$/],
  ['foreign', /^\+(?!1 )\d{2} \d{2} \d{4} \d{4}$/],
];

const NON_ASCII = /[^\p{ASCII}]/u;

describe('sample legacy CRM: the manifest counts exactly what is in the data', () => {
  let sample: LegacyCrmSample;
  let manifest: LegacyCrmManifest;
  let data: Record<LegacyTable, Obj[]>;
  beforeAll(() => {
    sample = generateLegacyCrm({ contacts: 3000, seed: 9 });
    manifest = sample.manifest();
    data = materialize(sample);
  });

  it('NULLs and blanks, column by column, both present in the same columns', () => {
    const all = [...cells(data)];
    expect(tally(all.filter(([, v]) => v === null).map(([k]) => k))).toEqual(manifest.nulls);
    expect(tally(all.filter(([, v]) => v === '').map(([k]) => k))).toEqual(manifest.blanks);
    expect(manifest.nulls['contacts.phone_mobile']).toBeGreaterThan(0);
    expect(manifest.blanks['contacts.phone_mobile']).toBeGreaterThan(0);
    expect(manifest.blanks['accounts.parent_id']).toBeGreaterThan(0);
  });

  it('soft-deleted rows per table', () => {
    const deleted = LEGACY_TABLE_NAMES.flatMap((t) => data[t].filter((r) => r.deleted === true).map(() => t));
    expect(tally(deleted)).toEqual(manifest.softDeleted);
    expect(manifest.softDeleted.contacts).toBeGreaterThan(0);
  });

  it('phone formats, classified independently', () => {
    const phones = [...cells(data)].filter(([k, v]) => /\.(phone_\w+|assistant_phone)$/.test(k) && typeof v === 'string' && v !== '');
    const formats = phones.map(([, v]) => PHONE_PATTERNS.find(([, re]) => re.test(v as string))?.[0] ?? 'garbage');
    expect(tally(formats)).toEqual(manifest.phoneFormats);
    for (const format of PHONE_FORMATS) expect(manifest.phoneFormats[format], format).toBeGreaterThan(0);
  });

  it('invalid and mixed-case email addresses, by validator', () => {
    const addresses = data.email_addresses.map((r) => r.email_address as string);
    const invalid = addresses.filter((a) => !validator.isEmail(a));
    const mixed = addresses.filter((a) => validator.isEmail(a) && a !== a.toLowerCase());
    expect(invalid.length).toBe(manifest.emailVariants.invalid);
    expect(mixed.length).toBe(manifest.emailVariants.mixedCase);
    expect(invalid.length).toBeGreaterThan(0);
    for (const r of data.email_addresses) expect(r.email_address_caps).toBe((r.email_address as string).toUpperCase());
  });

  it('non-ASCII names, multi-line text and dates before 1970', () => {
    const nonAscii = (['contacts', 'leads'] as const).flatMap((t) =>
      data[t].filter((r) => NON_ASCII.test(`${r.first_name ?? ''}${r.last_name}`)).map(() => t),
    );
    expect(tally(nonAscii)).toEqual(manifest.nonAsciiNames);
    const all = [...cells(data)];
    expect(tally(all.filter(([, v]) => typeof v === 'string' && /[\r\n]/.test(v)).map(([k]) => k))).toEqual(manifest.multiLineText);
    const dateColumns = new Set(
      sample.schema.flatMap((t) =>
        t.columns.filter((c) => c.type.kind === 'date' || c.type.kind === 'timestamp').map((c) => `${t.name}.${c.name}`),
      ),
    );
    const preEpoch = all.filter(([k, v]) => dateColumns.has(k) && typeof v === 'string' && v < '1970-01-01');
    expect(tally(preEpoch.map(([k]) => k))).toEqual(manifest.preEpochDates);
    expect(manifest.nonAsciiNames.contacts).toBeGreaterThan(0);
    expect(all.some(([k, v]) => k === 'contacts.birthdate' && (v === '1969-12-31' || v === '1970-01-01'))).toBe(true);
  });

  it('picklist values outside the documented lists, per value', () => {
    const offList: Record<string, Record<string, number>> = {};
    for (const [key, documented] of Object.entries(LEGACY_PICKLISTS)) {
      const [table, column] = key.split('.') as [LegacyTable, string];
      const values = data[table]
        .map((r) => r[column])
        .filter((v): v is string => typeof v === 'string' && v !== '' && !(documented as readonly string[]).includes(v));
      if (values.length > 0) offList[key] = tally(values);
    }
    expect(offList).toEqual(manifest.offListPicklist);
    expect(Object.keys(manifest.offListPicklist['opportunities.sales_stage'] ?? {}).sort()).toEqual([
      'Closed Won ',
      'Stalled',
      'closed won',
      'negotiation/review',
    ]);
  });

  it('duplicate account names, with case and spacing variants', () => {
    const names = data.accounts.map((r) => r.name as string);
    const normalized = new Set(names.map((n) => n.toLowerCase().replace(/\s+/g, ' ').trim()));
    const planted = Object.values(manifest.duplicateAccountNames).reduce((a, b) => a + b, 0);
    expect(planted).toBeGreaterThan(0);
    expect(names.length - normalized.size).toBe(planted);
    expect(names.filter((n) => n.endsWith(' ')).length).toBe(manifest.duplicateAccountNames.trailingSpace ?? 0);
    expect(names.filter((n) => n.includes('  ')).length).toBe(manifest.duplicateAccountNames.doubleSpace ?? 0);
    expect(names.filter((n) => n === n.toUpperCase()).length).toBe(manifest.duplicateAccountNames.upper ?? 0);
    expect(names.filter((n) => n === n.toLowerCase()).length).toBe(manifest.duplicateAccountNames.lower ?? 0);
  });

  it('amounts with six decimals and beyond 2^53, kept exact', () => {
    const amounts = data.opportunities.map((r) => r.amount).filter((a): a is string => typeof a === 'string');
    expect(amounts.filter((a) => /\.\d{6}$/.test(a)).length).toBe(manifest.amounts.manyDecimals);
    expect(amounts.filter((a) => BigInt(a.split('.')[0]) > 2n ** 53n).length).toBe(manifest.amounts.beyondDouble);
    expect(manifest.amounts.beyondDouble).toBeGreaterThan(0);
    for (const r of data.opportunities) if (r.currency_id === DEFAULT_CURRENCY_ID) expect(r.amount_usdollar).toBe(r.amount);
  });

  it('leads of contacts: converted ones link the contact, all share its email address row', () => {
    const contactAddresses = new Set(data.email_addr_bean_rel.filter((r) => r.bean_module === 'Contacts').map((r) => r.email_address_id));
    const sharing = data.email_addr_bean_rel.filter((r) => r.bean_module === 'Leads' && contactAddresses.has(r.email_address_id));
    const converted = data.leads.filter((r) => r.converted === true);
    expect(converted.length).toBe(manifest.leadsOfContacts.converted);
    expect(sharing.length).toBe(manifest.leadsOfContacts.converted + manifest.leadsOfContacts.duplicate);
    const contacts = new Map(data.contacts.map((c) => [c.id, c]));
    for (const lead of converted) expect(contacts.get(lead.contact_id)?.last_name).toBe(lead.last_name);
  });
});

describe('sample legacy CRM: referential structure', () => {
  let sample: LegacyCrmSample;
  let data: Record<LegacyTable, Obj[]>;
  beforeAll(() => {
    sample = generateLegacyCrm({ contacts: 3000, seed: 4 });
    data = materialize(sample);
  });

  it('resolves every reference except the planted orphans, which are exactly as counted', () => {
    const ids = (table: LegacyTable) => new Set(data[table].map((r) => r.id));
    const byModule: Record<string, Set<Value>> = {
      Accounts: ids('accounts'),
      Contacts: ids('contacts'),
      Opportunities: ids('opportunities'),
      Leads: ids('leads'),
    };
    const users = ids('users');
    const currencies = new Set([...ids('currencies'), DEFAULT_CURRENCY_ID]);
    const unresolved: string[] = [];
    const check = (key: string, value: Value, targets: Set<Value> | undefined) => {
      if (value === null || value === '') return;
      if (!targets?.has(value)) unresolved.push(key);
    };
    for (const table of LEGACY_TABLE_NAMES) {
      for (const r of data[table]) {
        for (const column of ['assigned_user_id', 'created_by', 'modified_user_id'])
          if (column in r) check(`${table}.${column}`, r[column], users);
        if ('parent_type' in r) check(`${table}.parent_id`, r.parent_id, byModule[r.parent_type as string]);
        if ('contact_id' in r) check(`${table}.contact_id`, r.contact_id, byModule.Contacts);
      }
    }
    for (const r of data.users) check('users.reports_to_id', r.reports_to_id, users);
    for (const r of data.accounts) check('accounts.parent_id', r.parent_id, byModule.Accounts);
    for (const r of data.accounts_cstm) check('accounts_cstm.id_c', r.id_c, byModule.Accounts);
    for (const r of data.contacts) check('contacts.reports_to_id', r.reports_to_id, byModule.Contacts);
    for (const r of data.contacts_cstm) check('contacts_cstm.id_c', r.id_c, byModule.Contacts);
    for (const r of data.accounts_contacts) check('accounts_contacts.account_id', r.account_id, byModule.Accounts);
    for (const r of data.accounts_opportunities) {
      check('accounts_opportunities.account_id', r.account_id, byModule.Accounts);
      check('accounts_opportunities.opportunity_id', r.opportunity_id, byModule.Opportunities);
    }
    for (const r of data.opportunities) check('opportunities.currency_id', r.currency_id, currencies);
    for (const r of data.leads) check('leads.account_id', r.account_id, byModule.Accounts);
    const addresses = ids('email_addresses');
    for (const r of data.email_addr_bean_rel) {
      check('email_addr_bean_rel.email_address_id', r.email_address_id, addresses);
      check('email_addr_bean_rel.bean_id', r.bean_id, byModule[r.bean_module as string]);
    }
    const manifest = sample.manifest();
    expect(tally(unresolved)).toEqual(manifest.orphans);
    // Planted exactly: max(1, rows/500) per kind.
    const planted = (rows: number) => Math.max(1, Math.round(rows / 500));
    expect(manifest.orphans['accounts_contacts.account_id']).toBe(planted(sample.counts.accounts_contacts));
    expect(manifest.orphans['accounts_contacts.contact_id']).toBe(planted(sample.counts.accounts_contacts));
    expect(manifest.orphans['notes.parent_id']).toBe(planted(sample.counts.notes));
  });

  it('has unique keys and exactly one live primary email per bean that has addresses', () => {
    for (const table of sample.schema) {
      const key = table.primaryKey[0];
      const values = data[table.name as LegacyTable].map((r) => r[key]);
      expect(new Set(values).size, table.name).toBe(values.length);
    }
    const primaries = new Map<string, number>();
    for (const r of data.email_addr_bean_rel) {
      const bean = `${r.bean_module}:${r.bean_id}`;
      if (r.deleted === false) primaries.set(bean, (primaries.get(bean) ?? 0) + (r.primary_address === true ? 1 : 0));
    }
    expect(primaries.size).toBeGreaterThan(0);
    for (const [bean, n] of primaries) expect(n, bean).toBe(1);
    const multi = tally(data.email_addr_bean_rel.map((r) => `${r.bean_module}:${r.bean_id}`));
    expect(Object.values(multi).some((n) => n >= 3)).toBe(true);
    expect(new Set(data.email_addr_bean_rel.map((r) => r.bean_module))).toEqual(new Set(['Contacts', 'Accounts', 'Leads']));
  });

  it('links subsidiaries to earlier accounts and contacts to bosses of their own account', () => {
    const position = new Map(data.accounts.map((r, i) => [r.id, i]));
    const subsidiaries = data.accounts.filter((r) => typeof r.parent_id === 'string' && r.parent_id !== '');
    expect(subsidiaries.length).toBeGreaterThan(0);
    for (const r of subsidiaries) expect(position.get(r.parent_id)!).toBeLessThan(position.get(r.id)!);
    const accountsOf = new Map<Value, Set<Value>>();
    for (const r of data.accounts_contacts) accountsOf.set(r.contact_id, (accountsOf.get(r.contact_id) ?? new Set()).add(r.account_id));
    const reporting = data.contacts.filter((r) => typeof r.reports_to_id === 'string' && r.reports_to_id !== '');
    // Planted orphan links can hide a contact's account; every other pair shares one.
    const comparable = reporting.filter((r) => accountsOf.has(r.id) && accountsOf.has(r.reports_to_id));
    expect(comparable.length).toBeGreaterThan(reporting.length * 0.9);
    for (const r of comparable)
      expect(
        [...accountsOf.get(r.id)!].some((a) => accountsOf.get(r.reports_to_id)!.has(a)),
        String(r.id),
      ).toBe(true);
  });
});
