import type { CanonicalType } from '../../core/types.js';
import type { ModelField, ModelTable, SemanticKind, TargetModel } from './model-types.js';

/**
 * The built-in modern CRM model (`--target modern`): the shape today's CRMs (HubSpot, Attio,
 * Twenty, Salesforce's Lightning objects) give the data a legacy CRM keeps in composite or
 * side-table form. Names are split into first/last, e-mail and phone into a primary value plus a
 * list, addresses into parts, money into an exact amount plus an ISO currency code, and a
 * polymorphic parent ("parent_type + parent_id") into one nullable reference per parent type.
 *
 * Text lengths are generous on purpose: the engine rejects text longer than its column (it
 * never truncates), so a length here is a promise about real legacy data, not a guess at the
 * typical value. Free text (descriptions, note bodies) is unbounded.
 *
 * The synonyms are the documented names of the same field in SugarCRM/SuiteCRM (columns and
 * CSV export headers), Salesforce (API names and export labels) and HubSpot (export headers);
 * suggest reads them, after normalising case and separators.
 */

const text = (length?: number): CanonicalType => (length === undefined ? { kind: 'text' } : { kind: 'text', length });
const UUID: CanonicalType = { kind: 'uuid' };
const TIMESTAMPTZ: CanonicalType = { kind: 'timestamptz' };
const DATE: CanonicalType = { kind: 'date' };
const BOOLEAN: CanonicalType = { kind: 'boolean' };
const INTEGER: CanonicalType = { kind: 'integer' };
const LIST: CanonicalType = { kind: 'multiselect' };
/** Legacy CRMs keep amounts as decimal(26,6) (Sugar) and plant fractions of a cent; 26,6 holds every one exactly. */
const MONEY: CanonicalType = { kind: 'decimal', precision: 26, scale: 6 };
const EMAIL = text(320); // RFC 5321: 64 + 1 + 255
const PHONE = text(64); // E.164 is 16 characters, but an unparseable number is kept as written
const NAME = text(255);

interface FieldOptions {
  readonly required?: boolean;
  readonly references?: string;
  readonly comment?: string;
}

function field(
  name: string,
  type: CanonicalType,
  kind: SemanticKind,
  synonyms: readonly string[] = [],
  options: FieldOptions = {},
): ModelField {
  return {
    name,
    type,
    kind,
    required: options.required ?? false,
    synonyms,
    ...(options.references ? { references: { table: options.references } } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
  };
}

const id = (synonyms: readonly string[]): ModelField => field('id', UUID, 'id', ['id', ...synonyms], { required: true });

const reference = (name: string, table: string, synonyms: readonly string[], options: FieldOptions = {}): ModelField =>
  field(name, UUID, 'reference', synonyms, { ...options, references: table });

const owner = reference('owner_id', 'users', [
  'assigned_user_id',
  'assigned user id',
  'assigned to',
  'OwnerId',
  'Owner ID',
  'owner',
  'record owner',
  'contact owner',
  'company owner',
  'deal owner',
  'assigned_user_name',
]);

const audit: readonly ModelField[] = [
  field('created_at', TIMESTAMPTZ, 'created_at', [
    'date_entered',
    'date created',
    'CreatedDate',
    'Created Date',
    'create date',
    'date_created',
    'createdate',
    'created on',
  ]),
  field('updated_at', TIMESTAMPTZ, 'updated_at', [
    'date_modified',
    'date modified',
    'LastModifiedDate',
    'Last Modified Date',
    'last modified date',
    'lastmodifieddate',
    'modified on',
    'hs_lastmodifieddate',
  ]),
];

/** The five parts of a postal address, named `<prefix>street` …; `aliases` are the source prefixes of the same address. */
function address(prefix: string, aliases: readonly string[]): ModelField[] {
  const parts: readonly (readonly [string, CanonicalType, SemanticKind, readonly string[]])[] = [
    ['street', text(1000), 'street', ['street', 'street address', 'address', 'address line 1']],
    ['city', text(255), 'city', ['city']],
    ['state', text(255), 'state', ['state', 'state/province', 'state region', 'province', 'region']],
    ['postal_code', text(40), 'postal_code', ['postalcode', 'postal code', 'zip', 'zip code', 'zipcode', 'postal_code', 'zip/postal code']],
    ['country', text(255), 'country', ['country', 'country/region']],
  ];
  return parts.map(([part, type, kind, words]) =>
    field(
      `${prefix}${part}`,
      type,
      kind,
      aliases.flatMap((alias) => words.map((w) => `${alias}${w}`)),
    ),
  );
}

const users: ModelTable = {
  name: 'users',
  synonyms: ['user', 'users', 'employee', 'owner', 'owners', 'staff', 'members'],
  key: 'id',
  fields: [
    id(['user id', 'UserId']),
    field('user_name', text(255), 'user_name', ['user_name', 'username', 'login', 'Username', 'user name'], { required: true }),
    field('first_name', NAME, 'first_name', ['first_name', 'FirstName', 'first name', 'firstname']),
    field('last_name', NAME, 'last_name', ['last_name', 'LastName', 'last name', 'lastname']),
    field('email', EMAIL, 'email', ['email', 'Email', 'email1', 'email address']),
    field('title', NAME, 'job_title', ['title', 'job title', 'Title']),
    field('department', NAME, 'department', ['department', 'Department']),
    field('phone', PHONE, 'phone', ['phone_work', 'phone', 'Phone', 'work phone', 'office phone']),
    field('is_active', BOOLEAN, 'boolean', ['status', 'IsActive', 'active', 'is active']),
    field('is_admin', BOOLEAN, 'boolean', ['is_admin', 'admin', 'is admin']),
    reference('manager_id', 'users', ['reports_to_id', 'ManagerId', 'Manager ID', 'manager', 'reports to']),
    ...audit,
  ],
};

const companies: ModelTable = {
  name: 'companies',
  synonyms: ['company', 'account', 'organization', 'organisation', 'org', 'business', 'customer', 'client', 'firm'],
  key: 'id',
  fields: [
    id(['account id', 'AccountId', 'company id', 'Record ID', 'organization id']),
    field('name', NAME, 'name', ['name', 'account_name', 'Account Name', 'company name', 'Company name', 'organization name', 'company'], {
      required: true,
    }),
    field('website', text(2048), 'url', ['website', 'Website', 'web site', 'url', 'company domain name', 'domain', 'website url']),
    field('industry', text(255), 'industry', ['industry', 'Industry']),
    field('company_type', text(100), 'category', ['account_type', 'type', 'Type', 'Account Type', 'company type']),
    field('employee_range', text(50), 'employees', [
      'employees',
      'NumberOfEmployees',
      'Employees',
      'number of employees',
      'employee count',
    ]),
    field(
      'annual_revenue',
      { kind: 'decimal', precision: 20, scale: 2 },
      'money_amount',
      ['annual_revenue', 'AnnualRevenue', 'Annual Revenue'],
      {
        comment: 'in the currency of annual_revenue_currency',
      },
    ),
    field('annual_revenue_currency', text(3), 'currency', ['annual revenue currency']),
    field('primary_phone', PHONE, 'phone', ['phone_office', 'Phone', 'phone', 'office phone', 'phone number', 'main phone']),
    field('additional_phones', LIST, 'phone_list', ['phone_alternate', 'alternate phone', 'other phone', 'additional phones']),
    field('fax', PHONE, 'fax', ['phone_fax', 'Fax', 'fax', 'fax number']),
    field('primary_email', EMAIL, 'email', ['email1', 'email', 'Email', 'email address', 'primary email']),
    field('additional_emails', LIST, 'email_list', ['email2', 'additional emails', 'other emails', 'secondary email']),
    ...address('address_', ['billing_address_', 'billing ', 'Billing', 'billing_', '', 'address_', 'mailing ']),
    ...address('shipping_address_', ['shipping_address_', 'shipping ', 'Shipping', 'shipping_']),
    field('rating', text(100), 'category', ['rating', 'Rating']),
    field('ownership', text(100), 'category', ['ownership', 'Ownership']),
    field('ticker_symbol', text(20), 'text', ['ticker_symbol', 'TickerSymbol', 'Ticker Symbol']),
    field('sic_code', text(20), 'text', ['sic_code', 'Sic', 'SIC Code']),
    field('region', text(100), 'category', ['region_c', 'region', 'sales region']),
    field('tier', text(100), 'category', ['tier_c', 'tier', 'customer tier']),
    field('customer_since', DATE, 'date', ['customer_since_c', 'customer since', 'became a customer date']),
    field('nps_score', INTEGER, 'integer', ['nps_score_c', 'nps score', 'nps']),
    field('description', text(), 'description', ['description', 'Description', 'Account Description', 'about']),
    reference('parent_company_id', 'companies', [
      'parent_id',
      'ParentId',
      'Parent Account ID',
      'parent account',
      'parent company',
      'member of',
    ]),
    owner,
    ...audit,
  ],
};

const people: ModelTable = {
  name: 'people',
  synonyms: ['person', 'contact', 'individual', 'customer contact'],
  key: 'id',
  fields: [
    id(['contact id', 'ContactId', 'person id']),
    field('salutation', text(50), 'salutation', ['salutation', 'Salutation', 'prefix']),
    field('first_name', NAME, 'first_name', ['first_name', 'FirstName', 'first name', 'firstname', 'given name']),
    field('last_name', NAME, 'last_name', ['last_name', 'LastName', 'last name', 'lastname', 'surname', 'family name']),
    field('job_title', NAME, 'job_title', ['title', 'Title', 'job title', 'jobtitle', 'position']),
    field('department', NAME, 'department', ['department', 'Department']),
    field('primary_email', EMAIL, 'email', ['email1', 'email', 'Email', 'email address', 'primary email', 'e-mail']),
    field('additional_emails', LIST, 'email_list', [
      'email2',
      'additional emails',
      'additional email addresses',
      'other emails',
      'secondary email',
    ]),
    field('primary_phone', PHONE, 'phone', [
      'phone_work',
      'Phone',
      'phone',
      'office phone',
      'work phone',
      'phone number',
      'business phone',
    ]),
    field('mobile_phone', PHONE, 'mobile_phone', [
      'phone_mobile',
      'MobilePhone',
      'Mobile Phone',
      'mobile',
      'mobile phone number',
      'cell phone',
    ]),
    field('additional_phones', LIST, 'phone_list', [
      'phone_home',
      'phone_other',
      'HomePhone',
      'OtherPhone',
      'Home Phone',
      'Other Phone',
      'additional phones',
    ]),
    field('fax', PHONE, 'fax', ['phone_fax', 'Fax', 'fax', 'fax number']),
    field('assistant', NAME, 'name', ['assistant', 'AssistantName', 'Assistant', 'assistant name']),
    field('assistant_phone', PHONE, 'phone', ['assistant_phone', 'AssistantPhone', 'Asst. Phone', 'assistant phone']),
    field('lead_source', text(255), 'lead_source', ['lead_source', 'LeadSource', 'Lead Source', 'original source', 'source']),
    field('birthdate', DATE, 'date', ['birthdate', 'Birthdate', 'date of birth', 'birthday']),
    field('do_not_call', BOOLEAN, 'boolean', ['do_not_call', 'DoNotCall', 'Do Not Call']),
    field('email_opt_out', BOOLEAN, 'boolean', ['email_opt_out', 'HasOptedOutOfEmail', 'Email Opt Out', 'unsubscribed from all email']),
    field('newsletter_opt_in', BOOLEAN, 'boolean', ['newsletter_c', 'newsletter', 'subscribed to newsletter']),
    field('preferred_language', text(100), 'category', ['preferred_language_c', 'preferred language', 'language']),
    field('linkedin_url', text(2048), 'url', ['linkedin_c', 'linkedin', 'linkedin url', 'LinkedIn Bio']),
    field('score', INTEGER, 'integer', ['score_c', 'score', 'lead score', 'hubspotscore']),
    field('interests', LIST, 'category', ['interests_c', 'interests']),
    field('last_contacted_at', TIMESTAMPTZ, 'datetime', ['last_contacted_c', 'last contacted', 'notes_last_contacted', 'LastActivityDate']),
    ...address('address_', ['primary_address_', 'mailing ', 'Mailing', 'mailing_', '', 'address_', 'primary address ']),
    ...address('other_address_', ['alt_address_', 'other ', 'Other', 'other_', 'alternate address ']),
    field('description', text(), 'description', ['description', 'Description', 'Contact Description', 'notes']),
    reference('company_id', 'companies', [
      'account_id',
      'AccountId',
      'Account ID',
      'company_id',
      'associated company',
      'account name',
      'company',
    ]),
    reference('reports_to_id', 'people', ['reports_to_id', 'ReportsToId', 'Reports To ID', 'reports to', 'manager']),
    owner,
    ...audit,
  ],
};

/** The many-to-many link of people and companies (a person may work for several). */
const companyPeople: ModelTable = {
  name: 'company_people',
  synonyms: ['company person', 'account contact', 'account contact relation', 'contact company', 'company contact', 'affiliation'],
  key: 'id',
  fields: [
    id(['AccountContactRelation ID']),
    reference('company_id', 'companies', ['account_id', 'AccountId', 'company_id'], { required: true }),
    reference('person_id', 'people', ['contact_id', 'ContactId', 'person_id'], { required: true }),
    field('role', text(255), 'category', ['contact_role', 'role', 'Roles']),
    field('updated_at', TIMESTAMPTZ, 'updated_at', ['date_modified', 'LastModifiedDate']),
  ],
  uniqueKeys: [],
};

export const OPPORTUNITY_STAGES = ['new', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;

const opportunities: ModelTable = {
  name: 'opportunities',
  synonyms: ['opportunity', 'deal', 'potential', 'pipeline item'],
  key: 'id',
  fields: [
    id(['opportunity id', 'OpportunityId', 'deal id']),
    field('name', NAME, 'name', ['name', 'Name', 'opportunity name', 'Opportunity Name', 'deal name', 'potential name'], {
      required: true,
    }),
    field('amount', MONEY, 'money_amount', ['amount', 'Amount', 'deal amount', 'opportunity amount', 'value']),
    field('currency_code', text(3), 'currency', [
      'currency_id',
      'CurrencyIsoCode',
      'Opportunity Currency',
      'currency',
      'deal currency code',
    ]),
    field('stage', { kind: 'enum', values: OPPORTUNITY_STAGES }, 'stage', [
      'sales_stage',
      'StageName',
      'Stage',
      'deal stage',
      'dealstage',
      'stage',
    ]),
    field('probability', INTEGER, 'probability', ['probability', 'Probability', 'Probability (%)', 'deal probability']),
    field('close_date', DATE, 'date', [
      'date_closed',
      'CloseDate',
      'Close Date',
      'closedate',
      'expected close date',
      'expected_close_date',
    ]),
    field('opportunity_type', text(100), 'category', ['opportunity_type', 'Type', 'type', 'deal type', 'Opportunity Type']),
    field('lead_source', text(255), 'lead_source', ['lead_source', 'LeadSource', 'Lead Source', 'source']),
    field('next_step', text(1000), 'text', ['next_step', 'NextStep', 'Next Step']),
    field('description', text(), 'description', ['description', 'Description', 'deal description']),
    reference('company_id', 'companies', ['account_id', 'AccountId', 'Account ID', 'associated company', 'account name', 'company']),
    owner,
    ...audit,
  ],
};

export const LEAD_STATUSES = ['new', 'working', 'nurturing', 'converted', 'unqualified'] as const;

/** Leads stay apart from people, as in Salesforce: a converted lead and its contact would otherwise be two people. */
const leads: ModelTable = {
  name: 'leads',
  synonyms: ['lead', 'prospect', 'suspect'],
  key: 'id',
  fields: [
    id(['lead id', 'LeadId']),
    field('salutation', text(50), 'salutation', ['salutation', 'Salutation']),
    field('first_name', NAME, 'first_name', ['first_name', 'FirstName', 'first name']),
    field('last_name', NAME, 'last_name', ['last_name', 'LastName', 'last name']),
    field('job_title', NAME, 'job_title', ['title', 'Title', 'job title']),
    field('department', NAME, 'department', ['department', 'Department']),
    field('company_name', NAME, 'name', ['account_name', 'Company', 'company', 'company name']),
    field('primary_email', EMAIL, 'email', ['email1', 'email', 'Email', 'email address']),
    field('additional_emails', LIST, 'email_list', ['email2', 'additional emails']),
    field('primary_phone', PHONE, 'phone', ['phone_work', 'Phone', 'phone', 'phone number']),
    field('mobile_phone', PHONE, 'mobile_phone', ['phone_mobile', 'MobilePhone', 'Mobile Phone', 'mobile']),
    field('additional_phones', LIST, 'phone_list', ['phone_home', 'phone_other', 'Home Phone', 'additional phones']),
    field('fax', PHONE, 'fax', ['phone_fax', 'Fax', 'fax']),
    field('status', { kind: 'enum', values: LEAD_STATUSES }, 'status', [
      'status',
      'Status',
      'Lead Status',
      'lead status',
      'hs_lead_status',
    ]),
    field('lead_source', text(255), 'lead_source', ['lead_source', 'LeadSource', 'Lead Source']),
    field('website', text(2048), 'url', ['website', 'Website']),
    ...address('address_', ['primary_address_', '', 'address_']),
    field('description', text(), 'description', ['description', 'Description']),
    field('do_not_call', BOOLEAN, 'boolean', ['do_not_call', 'DoNotCall']),
    field('referred_by', NAME, 'name', ['refered_by', 'referred by', 'referrer']),
    field('birthdate', DATE, 'date', ['birthdate', 'Birthdate']),
    reference('converted_person_id', 'people', ['contact_id', 'ConvertedContactId', 'Converted Contact ID']),
    reference('converted_company_id', 'companies', ['account_id', 'ConvertedAccountId', 'Converted Account ID']),
    owner,
    ...audit,
  ],
};

/** Parents of a note or task, one nullable reference per parent type (the modern form of parent_type + parent_id). */
const activityParents: readonly ModelField[] = [
  reference('company_id', 'companies', ['account_id', 'AccountId', 'Account ID', 'associated company']),
  reference('person_id', 'people', ['contact_id', 'WhoId', 'Contact ID', 'associated contact']),
  reference('opportunity_id', 'opportunities', ['opportunity_id', 'Opportunity ID', 'associated deal']),
  reference('lead_id', 'leads', ['lead_id', 'Lead ID']),
];

const notes: ModelTable = {
  name: 'notes',
  synonyms: ['note', 'comment', 'memo', 'annotation', 'message'],
  key: 'id',
  fields: [
    id(['note id', 'NoteId']),
    field('title', text(1000), 'name', ['name', 'Title', 'title', 'subject', 'note title']),
    field('body', text(), 'description', ['description', 'Body', 'body', 'note body', 'content']),
    field('attachment_name', text(1000), 'text', ['filename', 'file name', 'attachment']),
    field('attachment_mime_type', text(255), 'text', ['file_mime_type', 'mime type', 'ContentType']),
    ...activityParents,
    owner,
    ...audit,
  ],
};

export const TASK_TYPES = ['task', 'call', 'meeting', 'email'] as const;
export const TASK_STATUSES = ['open', 'in_progress', 'waiting', 'deferred', 'completed', 'cancelled'] as const;
export const TASK_PRIORITIES = ['high', 'medium', 'low'] as const;

/** Tasks and logged calls: one activity table with a type, as modern CRMs keep them. */
const tasks: ModelTable = {
  name: 'tasks',
  synonyms: ['task', 'activity', 'todo', 'to do', 'call', 'meeting', 'event'],
  key: 'id',
  fields: [
    id(['task id', 'TaskId', 'activity id']),
    field('title', text(1000), 'name', ['name', 'Subject', 'subject', 'task title', 'title'], { required: true }),
    field('type', { kind: 'enum', values: TASK_TYPES }, 'category', ['TaskSubtype', 'task type', 'activity type', 'type']),
    field('status', { kind: 'enum', values: TASK_STATUSES }, 'status', ['status', 'Status', 'task status']),
    field('priority', { kind: 'enum', values: TASK_PRIORITIES }, 'priority', ['priority', 'Priority', 'task priority']),
    field('start_at', TIMESTAMPTZ, 'datetime', ['date_start', 'StartDateTime', 'start date', 'start time']),
    field('due_at', TIMESTAMPTZ, 'datetime', ['date_due', 'ActivityDate', 'Due Date', 'due date', 'date_end', 'end date']),
    field('direction', { kind: 'enum', values: ['inbound', 'outbound'] }, 'category', ['direction', 'CallType', 'call direction']),
    field('description', text(), 'description', ['description', 'Description', 'Comments', 'body', 'notes']),
    ...activityParents,
    owner,
    ...audit,
  ],
};

export const MODERN_CRM: TargetModel = {
  name: 'modern',
  tables: [users, companies, people, companyPeople, opportunities, leads, notes, tasks],
};
