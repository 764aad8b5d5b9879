import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { analyze, renderAnalysis } from '../../src/schema/index.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

/**
 * `analyze` finds the links CRM exports make by name (contacts.AccountName → accounts.Name) and
 * says when the name repeats: a lookup on it is then ambiguous for the repeated names.
 */
const ACCOUNTS = {
  columns: ['Id', 'Name'],
  rows: [
    ['A1', 'Southern Realty'],
    ['A2', 'Northwind'],
    ['A3', 'Southern Realty'],
  ],
};
const CONTACTS = {
  columns: ['Id', 'AccountName'],
  rows: [
    ['C1', 'Southern Realty'],
    ['C2', 'Northwind'],
    ['C3', 'Nowhere Inc'],
    ['C4', 'Southern Realty'],
  ],
};
/** Deals name their owner by a column of unique names (users.Name): no ambiguity there. */
const USERS = {
  columns: ['Id', 'Name'],
  rows: [
    ['U1', 'Ana'],
    ['U2', 'Bo'],
  ],
};
const DEALS = {
  columns: ['Id', 'UserName'],
  rows: [
    ['D1', 'Ana'],
    ['D2', 'Bo'],
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'crmbridge-name-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sources = [
  {
    name: 'SQLite',
    url: async () => {
      await writeSqliteSource(join(dir, 'crm.db'), { accounts: ACCOUNTS, contacts: CONTACTS, users: USERS, deals: DEALS });
      return `sqlite:${join(dir, 'crm.db')}`;
    },
  },
  {
    name: 'CSV export',
    url: async () => {
      const folder = join(dir, 'export');
      mkdirSync(folder);
      for (const [name, t] of Object.entries({ accounts: ACCOUNTS, contacts: CONTACTS, users: USERS, deals: DEALS })) {
        writeFileSync(join(folder, `${name}.csv`), `${[t.columns, ...t.rows].map((r) => r.join(',')).join('\n')}\n`);
      }
      return folder;
    },
  },
];

describe.each(sources)('analyze: links by name ($name)', ({ url }) => {
  it('reports contacts.AccountName → accounts.Name as not unique, deals.UserName → users.Name as unique', async () => {
    const source = await openConnector(await url());
    try {
      const a = await analyze(source);
      expect(
        a.nameLinks?.map((l) => [`${l.from.table}.${l.from.columns[0]}`, `${l.to.table}.${l.to.columns[0]}`, l.unique, l.repeatedRows]),
      ).toEqual([
        ['contacts.AccountName', 'accounts.Name', false, 1],
        ['deals.UserName', 'users.Name', true, 0],
      ]);
      expect(a.nameLinks?.[0].inclusion).toMatchObject({ checkedRows: 4, matchedRows: 3, orphanRows: 1 });
      const text = renderAnalysis(a);
      expect(text).toContain(
        'contacts.AccountName → accounts.Name: 75.0% found, 1 orphan (e.g. "Nowhere Inc"); NOT UNIQUE: 1 row repeating a name',
      );
      expect(text).toContain('deals.UserName → users.Name: 100% found; unique');
    } finally {
      await source.close();
    }
  });
});
