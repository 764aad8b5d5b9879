import type { LegacyTable } from './legacy-counts.js';
import { accountsCstmTable, accountsTable } from './tables/accounts.js';
import { callsTable, notesTable, tasksTable } from './tables/activities.js';
import { contactsCstmTable, contactsTable } from './tables/contacts.js';
import { currenciesTable } from './tables/currencies.js';
import { emailAddrBeanRelTable, emailAddressesTable } from './tables/emails.js';
import { leadsTable } from './tables/leads.js';
import { accountsContactsTable, accountsOpportunitiesTable } from './tables/links.js';
import { opportunitiesTable } from './tables/opportunities.js';
import type { LegacyTableGenerator } from './tables/table-context.js';
import { usersTable } from './tables/users.js';

/** Every table of the legacy CRM, in load order (referenced tables first, though Sugar declares no keys). */
export const LEGACY_TABLES: Readonly<Record<LegacyTable, LegacyTableGenerator>> = {
  users: usersTable,
  currencies: currenciesTable,
  accounts: accountsTable,
  accounts_cstm: accountsCstmTable,
  contacts: contactsTable,
  contacts_cstm: contactsCstmTable,
  accounts_contacts: accountsContactsTable,
  opportunities: opportunitiesTable,
  accounts_opportunities: accountsOpportunitiesTable,
  leads: leadsTable,
  notes: notesTable,
  calls: callsTable,
  tasks: tasksTable,
  email_addresses: emailAddressesTable,
  email_addr_bean_rel: emailAddrBeanRelTable,
};

export const LEGACY_TABLE_NAMES = Object.keys(LEGACY_TABLES) as LegacyTable[];
