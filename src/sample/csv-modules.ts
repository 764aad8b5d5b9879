import type { Value } from '../core/types.js';
import { type CrmPlan, DEFAULT_CURRENCY_ID, SPACE } from './crm-plan.js';
import { exportCell, userDate, userDatetime } from './csv-cells.js';
import { BASE_CURRENCY_SYMBOL, CURRENCIES } from './currencies.js';
import type { LegacyTable } from './legacy-counts.js';
import { Tally } from './manifest.js';
import { formatMoney } from './money.js';
import type { EmailModule } from './picklists.js';
import { emailAddressOf } from './tables/email-address-text.js';

/** One generated row seen by name, plus its index in its table (which is the bean index). */
export interface ExportRow {
  readonly index: number;
  get(column: string): Value;
}

/** What cells may look up beyond their own row: names by id, the bean's primary email. */
export class ExportLookups {
  // The export plants nothing: emails are re-derived with a tally that is thrown away.
  private readonly scratch = new Tally();
  private readonly currencies: ReadonlyMap<string, { symbol: string; iso4217: string }>;

  constructor(
    readonly plan: CrmPlan,
    private readonly userNames: ReadonlyMap<string, string>,
  ) {
    this.currencies = new Map(CURRENCIES.map((c, i) => [plan.id(SPACE.currencies, i), c]));
  }

  userName(id: Value): string {
    return typeof id === 'string' ? (this.userNames.get(id) ?? '') : '';
  }

  /** The bean's primary address: its own first one, or for a lead of a contact the contact's. */
  primaryEmail(module: EmailModule, index: number): string {
    const contact = module === 'Leads' ? this.plan.leadContact(index) : -1;
    if (contact >= 0) return emailAddressOf(this.plan, this.scratch, 'Contacts', contact, 0).text;
    return this.plan.emailCount(module, index) > 0 ? emailAddressOf(this.plan, this.scratch, module, index, 0).text : '';
  }

  currency(id: Value): { symbol: string; iso4217: string } {
    return (
      (id !== DEFAULT_CURRENCY_ID && typeof id === 'string' && this.currencies.get(id)) || { symbol: BASE_CURRENCY_SYMBOL, iso4217: 'USD' }
    );
  }
}

type Cell = (row: ExportRow, lookups: ExportLookups) => string;

export interface ExportModule {
  /** File name, e.g. 'Contacts.csv'. */
  readonly file: string;
  readonly table: LegacyTable;
  readonly columns: readonly (readonly [header: string, cell: Cell])[];
}

const field =
  (column: string): Cell =>
  (row) =>
    exportCell(row.get(column));
const date =
  (column: string): Cell =>
  (row) =>
    userDate(row.get(column));
const datetime =
  (column: string): Cell =>
  (row) =>
    userDatetime(row.get(column));
const user =
  (column: string): Cell =>
  (row, lookups) =>
    lookups.userName(row.get(column));
const address = (label: string, prefix: string): [string, Cell][] => [
  [`${label} Street`, field(`${prefix}_street`)],
  [`${label} City`, field(`${prefix}_city`)],
  [`${label} State`, field(`${prefix}_state`)],
  [`${label} Postal Code`, field(`${prefix}_postalcode`)],
  [`${label} Country`, field(`${prefix}_country`)],
];
const audit: [string, Cell][] = [
  ['Assigned User Name', user('assigned_user_id')],
  ['Date Created', datetime('date_entered')],
  ['Date Modified', datetime('date_modified')],
  ['Created By', user('created_by')],
];

/** Each exported module and its columns, headed with the labels a CRM export uses. */
export const EXPORT_MODULES: readonly ExportModule[] = [
  {
    file: 'Accounts.csv',
    table: 'accounts',
    columns: [
      ['ID', field('id')],
      ['Name', field('name')],
      ['Type', field('account_type')],
      ['Industry', field('industry')],
      ['Annual Revenue', field('annual_revenue')],
      ['Employees', field('employees')],
      ['Office Phone', field('phone_office')],
      ['Fax', field('phone_fax')],
      ['Website', field('website')],
      ['Email Address', (row, l) => l.primaryEmail('Accounts', row.index)],
      ...address('Billing Address', 'billing_address'),
      ...address('Shipping Address', 'shipping_address'),
      ['Member Of', (row, l) => accountNameOf(l.plan, l.plan.parentAccountOf(row.index))],
      ['Description', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Contacts.csv',
    table: 'contacts',
    columns: [
      ['ID', field('id')],
      ['Salutation', field('salutation')],
      ['First Name', field('first_name')],
      ['Last Name', field('last_name')],
      ['Title', field('title')],
      ['Department', field('department')],
      ['Account Name', (row, l) => accountNameOf(l.plan, l.plan.primaryAccountOf(row.index))],
      ['Email Address', (row, l) => l.primaryEmail('Contacts', row.index)],
      ['Office Phone', field('phone_work')],
      ['Mobile Phone', field('phone_mobile')],
      ['Home Phone', field('phone_home')],
      ['Other Phone', field('phone_other')],
      ['Fax', field('phone_fax')],
      ...address('Primary Address', 'primary_address'),
      ...address('Alternate Address', 'alt_address'),
      ['Lead Source', field('lead_source')],
      ['Birthdate', date('birthdate')],
      ['Do Not Call', field('do_not_call')],
      ['Description', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Opportunities.csv',
    table: 'opportunities',
    columns: [
      ['ID', field('id')],
      ['Opportunity Name', field('name')],
      ['Account Name', (row, l) => accountNameOf(l.plan, l.plan.accountOfOpportunity(row.index))],
      ['Currency', (row, l) => l.currency(row.get('currency_id')).iso4217],
      ['Opportunity Amount', (row, l) => money(row.get('amount'), l.currency(row.get('currency_id')).symbol)],
      ['Amount (US Dollars)', (row) => money(row.get('amount_usdollar'), BASE_CURRENCY_SYMBOL)],
      ['Expected Close Date', date('date_closed')],
      ['Sales Stage', field('sales_stage')],
      ['Probability (%)', field('probability')],
      ['Type', field('opportunity_type')],
      ['Lead Source', field('lead_source')],
      ['Next Step', field('next_step')],
      ['Description', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Leads.csv',
    table: 'leads',
    columns: [
      ['ID', field('id')],
      ['Salutation', field('salutation')],
      ['First Name', field('first_name')],
      ['Last Name', field('last_name')],
      ['Title', field('title')],
      ['Account Name', field('account_name')],
      ['Email Address', (row, l) => l.primaryEmail('Leads', row.index)],
      ['Office Phone', field('phone_work')],
      ['Mobile Phone', field('phone_mobile')],
      ['Home Phone', field('phone_home')],
      ...address('Primary Address', 'primary_address'),
      ['Status', field('status')],
      ['Lead Source', field('lead_source')],
      ['Converted', field('converted')],
      ['Referred By', field('refered_by')],
      ['Opportunity Amount', field('opportunity_amount')],
      ['Birthdate', date('birthdate')],
      ['Description', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Notes.csv',
    table: 'notes',
    columns: [
      ['ID', field('id')],
      ['Subject', field('name')],
      ['Parent Type', field('parent_type')],
      ['Parent ID', field('parent_id')],
      ['Contact ID', field('contact_id')],
      ['Attachment', field('filename')],
      ['Mime Type', field('file_mime_type')],
      ['Note', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Calls.csv',
    table: 'calls',
    columns: [
      ['ID', field('id')],
      ['Subject', field('name')],
      ['Status', field('status')],
      ['Direction', field('direction')],
      ['Start Date', datetime('date_start')],
      ['Duration Hours', field('duration_hours')],
      ['Duration Minutes', field('duration_minutes')],
      ['Parent Type', field('parent_type')],
      ['Parent ID', field('parent_id')],
      ['Contact ID', field('contact_id')],
      ['Description', field('description')],
      ...audit,
    ],
  },
  {
    file: 'Tasks.csv',
    table: 'tasks',
    columns: [
      ['ID', field('id')],
      ['Subject', field('name')],
      ['Status', field('status')],
      ['Priority', field('priority')],
      ['Start Date', datetime('date_start')],
      ['Due Date', datetime('date_due')],
      ['Parent Type', field('parent_type')],
      ['Parent ID', field('parent_id')],
      ['Contact ID', field('contact_id')],
      ['Description', field('description')],
      ...audit,
    ],
  },
];

function accountNameOf(plan: CrmPlan, account: number): string {
  return account >= 0 ? plan.accountName(account) : '';
}

function money(amount: Value, symbol: string): string {
  return typeof amount === 'string' ? formatMoney(amount, symbol) : '';
}
