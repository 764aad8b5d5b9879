import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../src/core/types.js';
import {
  CURRENCIES,
  DEFAULT_CURRENCY_ID,
  EXPORT_MODULES,
  generateLegacyCrm,
  type LegacyTable,
  writeLegacyCrmCsvExport,
} from '../../src/sample/index.js';

const OPTIONS = { contacts: 1000, seed: 21 };
type Obj = Record<string, Value>;

function rowsOf(table: LegacyTable): Obj[] {
  return [...generateLegacyCrm(OPTIONS).batches(table)].flatMap((b) =>
    b.rows.map((r) => Object.fromEntries(b.columns.map((c, i) => [c, r[i]]))),
  );
}

describe('sample legacy CRM: CSV export the way the CRM writes it', () => {
  let folder: string;
  let files: readonly string[];
  const raw = new Map<string, string>();
  const records = new Map<string, Record<string, string>[]>();

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'crmbridge-sample-csv-'));
    ({ files } = await writeLegacyCrmCsvExport(folder, OPTIONS));
    for (const module of EXPORT_MODULES) {
      const text = await readFile(join(folder, module.file), 'utf8');
      raw.set(module.file, text);
      records.set(module.file, parse(text, { bom: true, columns: true }));
    }
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('writes one file per module with human headers', () => {
    expect(files.map((f) => f.slice(folder.length + 1))).toEqual([
      'Accounts.csv',
      'Contacts.csv',
      'Opportunities.csv',
      'Leads.csv',
      'Notes.csv',
      'Calls.csv',
      'Tasks.csv',
    ]);
    const headers = (file: string) => Object.keys(records.get(file)![0]);
    expect(headers('Contacts.csv')).toEqual(
      expect.arrayContaining([
        'First Name',
        'Last Name',
        'Account Name',
        'Email Address',
        'Office Phone',
        'Mobile Phone',
        'Primary Address City',
        'Date Created',
      ]),
    );
    expect(headers('Opportunities.csv')).toEqual(
      expect.arrayContaining(['Opportunity Name', 'Account Name', 'Opportunity Amount', 'Expected Close Date', 'Sales Stage']),
    );
  });

  it('quotes every cell, empty ones too, with a BOM and CRLF line ends', () => {
    for (const [file, text] of raw) {
      expect(text.startsWith('\uFEFF'), file).toBe(true);
      const parsed: string[][] = parse(text, { bom: true });
      // Re-quoting every cell must give back the very same bytes.
      expect(`\uFEFF${stringify(parsed, { quoted: true, quoted_empty: true, record_delimiter: '\r\n' })}`, file).toBe(text);
    }
  });

  it('exports the live rows only, in the CRM formats: money, US dates, account by name, primary email', () => {
    const opportunities = rowsOf('opportunities');
    const live = opportunities.filter((r) => r.deleted === false);
    const exported = records.get('Opportunities.csv')!;
    expect(exported.length).toBe(live.length);
    const byId = new Map(live.map((r) => [r.id, r]));
    const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
    const symbols = new Set(['$', ...CURRENCIES.map((c) => c.symbol)]);
    let checked = 0;
    for (const record of exported) {
      const source = byId.get(record.ID)!;
      expect(record['Opportunity Amount']).toMatch(/^(|(\$|€|£|CA\$)\d{1,3}(,\d{3})*\.\d{2})$/);
      expect(symbols.has(record['Opportunity Amount'].replace(/[\d,.]+$/, '')) || record['Opportunity Amount'] === '').toBe(true);
      if (source.currency_id === DEFAULT_CURRENCY_ID && typeof source.amount === 'string') {
        // Intl formats a decimal string exactly (no double), rounding half away from zero.
        expect(record['Opportunity Amount']).toBe(usd.format(source.amount as unknown as number));
        checked++;
      }
      const closed = source.date_closed as string | null;
      expect(record['Expected Close Date']).toBe(closed ? `${closed.slice(5, 7)}/${closed.slice(8)}/${closed.slice(0, 4)}` : '');
      expect(record['Date Created']).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
      expect(record['Account Name']).not.toBe('');
    }
    expect(checked).toBeGreaterThan(100);
    expect(exported.some((r) => /^\$\d{1,3},\d{3}\.\d{2}$/.test(r['Opportunity Amount']))).toBe(true);
  });

  it("names each contact's account and primary email as the database links them", () => {
    const accounts = new Map(rowsOf('accounts').map((r) => [r.id, r.name]));
    const linked = new Map<Value, Set<Value>>();
    for (const r of rowsOf('accounts_contacts'))
      linked.set(r.contact_id, (linked.get(r.contact_id) ?? new Set()).add(accounts.get(r.account_id) ?? null));
    const addresses = new Map(rowsOf('email_addresses').map((r) => [r.id, r.email_address]));
    const primary = new Map(
      rowsOf('email_addr_bean_rel')
        .filter((r) => r.bean_module === 'Contacts' && r.primary_address === true)
        .map((r) => [r.bean_id, addresses.get(r.email_address_id)]),
    );
    const exported = records.get('Contacts.csv')!;
    expect(exported.length).toBe(rowsOf('contacts').filter((r) => r.deleted === false).length);
    let named = 0;
    for (const record of exported) {
      expect(record['Email Address']).toBe(primary.get(record.ID) ?? '');
      const names = linked.get(record.ID);
      if (record['Account Name'] !== '' && names?.has(record['Account Name'])) named++;
    }
    // All but the contacts whose link was planted as an orphan.
    const { orphans } = generateLegacyCrm(OPTIONS).manifest();
    const orphanLinks = orphans['accounts_contacts.account_id'] + orphans['accounts_contacts.contact_id'];
    expect(named).toBeGreaterThanOrEqual(exported.filter((r) => r['Account Name'] !== '').length - orphanLinks);
    expect(exported.some((r) => r.Description.includes('\n'))).toBe(true);
  });
});
