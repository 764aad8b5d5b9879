import type { Value } from '../../core/types.js';
import { formatSeconds } from '../calendar.js';
import { SPACE } from '../crm-plan.js';
import { datetimeBetween } from '../dirt.js';
import { Rng } from '../prng.js';
import { defineTable, index } from '../table-spec.js';
import { softDeleted } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const accountsContacts = defineTable(
  'accounts_contacts',
  [
    ['id', 'char(36)'],
    ['contact_id', 'char(36)'],
    ['account_id', 'char(36)'],
    ['date_modified', 'datetime'],
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: [index('accounts_contacts', ['account_id', 'contact_id']), index('accounts_contacts', ['contact_id'])] },
);

/** Orphan kinds: each plants exactly max(1, rows/500) references to ids no table holds. */
const ORPHAN_ACCOUNT = 1;
const ORPHAN_CONTACT = 2;

/** One row per contact link (primary, then the second account of some), in contact order. */
function* accountsContactsRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally, counts } = context;
  const total = counts.accounts_contacts;
  let row = 0;
  for (let i = 0; i < plan.sizes.contacts; i++) {
    for (const account of [plan.primaryAccountOf(i), plan.secondAccountOf(i)]) {
      if (account < 0) continue;
      const rng = new Rng(plan.rowSeed(SPACE.accounts_contacts, row));
      let accountId = plan.id(SPACE.accounts, account);
      let contactId = plan.id(SPACE.contacts, i);
      if (plan.isOrphan(ORPHAN_ACCOUNT, row, total)) {
        accountId = plan.orphanId(SPACE.accounts, row);
        tally.add('orphans', 'accounts_contacts.account_id');
      }
      if (plan.isOrphan(ORPHAN_CONTACT, row, total)) {
        contactId = plan.orphanId(SPACE.contacts, row);
        tally.add('orphans', 'accounts_contacts.contact_id');
      }
      yield accountsContacts.toRow({
        id: plan.id(SPACE.accounts_contacts, row),
        contact_id: contactId,
        account_id: accountId,
        date_modified: formatSeconds(datetimeBetween(rng, tally, 'accounts_contacts.date_modified', 2008, 2025)),
        deleted: softDeleted(context, rng, 'accounts_contacts', 0.01),
      });
      row++;
    }
  }
}

const accountsOpportunities = defineTable(
  'accounts_opportunities',
  [
    ['id', 'char(36)'],
    ['opportunity_id', 'char(36)'],
    ['account_id', 'char(36)'],
    ['date_modified', 'datetime'],
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: [index('accounts_opportunities', ['opportunity_id', 'account_id'])] },
);

function* accountsOpportunitiesRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.opportunities; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.accounts_opportunities, i));
    yield accountsOpportunities.toRow({
      id: plan.id(SPACE.accounts_opportunities, i),
      opportunity_id: plan.id(SPACE.opportunities, i),
      account_id: plan.id(SPACE.accounts, plan.accountOfOpportunity(i)),
      date_modified: formatSeconds(datetimeBetween(rng, tally, 'accounts_opportunities.date_modified', 2008, 2025)),
      deleted: softDeleted(context, rng, 'accounts_opportunities', 0.01),
    });
  }
}

export const accountsContactsTable: LegacyTableGenerator = { spec: accountsContacts, rows: accountsContactsRows };
export const accountsOpportunitiesTable: LegacyTableGenerator = { spec: accountsOpportunities, rows: accountsOpportunitiesRows };
