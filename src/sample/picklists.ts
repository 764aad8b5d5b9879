/**
 * Sugar's documented dropdown values (its `*_dom` lists). Values outside these are planted as
 * dirt and counted in the manifest (`offListPicklist`), so analyze/validate can be checked
 * against exact numbers.
 */
const LEAD_SOURCES = [
  'Cold Call',
  'Existing Customer',
  'Self Generated',
  'Employee',
  'Partner',
  'Public Relations',
  'Direct Mail',
  'Conference',
  'Trade Show',
  'Web Site',
  'Word of mouth',
  'Email',
  'Campaign',
  'Other',
] as const;
const LEAD_SOURCE_TYPOS = ['web', 'LinkedIn', 'Tradeshow'];

export const LEGACY_PICKLISTS = {
  'accounts.account_type': [
    'Analyst',
    'Competitor',
    'Customer',
    'Integrator',
    'Investor',
    'Partner',
    'Press',
    'Prospect',
    'Reseller',
    'Other',
  ],
  'accounts.industry': [
    'Apparel',
    'Banking',
    'Biotechnology',
    'Chemicals',
    'Communications',
    'Construction',
    'Consulting',
    'Education',
    'Electronics',
    'Energy',
    'Engineering',
    'Entertainment',
    'Environmental',
    'Finance',
    'Government',
    'Healthcare',
    'Hospitality',
    'Insurance',
    'Machinery',
    'Manufacturing',
    'Media',
    'Not For Profit',
    'Recreation',
    'Retail',
    'Shipping',
    'Technology',
    'Telecommunications',
    'Transportation',
    'Utilities',
    'Other',
  ],
  'contacts.lead_source': LEAD_SOURCES,
  'leads.lead_source': LEAD_SOURCES,
  'opportunities.lead_source': LEAD_SOURCES,
  'contacts.salutation': ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'],
  'opportunities.sales_stage': [
    'Prospecting',
    'Qualification',
    'Needs Analysis',
    'Value Proposition',
    'Id. Decision Makers',
    'Perception Analysis',
    'Proposal/Price Quote',
    'Negotiation/Review',
    'Closed Won',
    'Closed Lost',
  ],
  'opportunities.opportunity_type': ['Existing Business', 'New Business'],
  'leads.status': ['New', 'Assigned', 'In Process', 'Converted', 'Recycled', 'Dead'],
  'calls.status': ['Planned', 'Held', 'Not Held'],
  'calls.direction': ['Inbound', 'Outbound'],
  'tasks.status': ['Not Started', 'In Progress', 'Completed', 'Pending Input', 'Deferred'],
  'tasks.priority': ['High', 'Medium', 'Low'],
  'users.status': ['Active', 'Inactive'],
} as const satisfies Record<string, readonly string[]>;

export type PicklistColumn = keyof typeof LEGACY_PICKLISTS;

/** Values that are not in the documented list: whitespace and case variants and unknowns. */
export const OFF_LIST_VALUES: Partial<Record<PicklistColumn, readonly string[]>> = {
  // 'Negotiation/Review' is in Sugar's own list, so its lower-case twin is the off-list one.
  'opportunities.sales_stage': ['Closed Won ', 'closed won', 'negotiation/review', 'Stalled'],
  'leads.status': ['In Process ', 'dead', 'Cold'],
  'accounts.industry': ['Tech', 'banking', 'IT Services'],
  'contacts.lead_source': LEAD_SOURCE_TYPOS,
  'leads.lead_source': LEAD_SOURCE_TYPOS,
  'opportunities.lead_source': LEAD_SOURCE_TYPOS,
};

/** Sugar's default probability (%) per sales stage. */
export const STAGE_PROBABILITY: Readonly<Record<string, number>> = {
  Prospecting: 10,
  Qualification: 20,
  'Needs Analysis': 25,
  'Value Proposition': 30,
  'Id. Decision Makers': 40,
  'Perception Analysis': 50,
  'Proposal/Price Quote': 65,
  'Negotiation/Review': 80,
  'Closed Won': 100,
  'Closed Lost': 0,
};

export const PARENT_TYPES = ['Accounts', 'Contacts', 'Opportunities', 'Leads'] as const;
export type ParentType = (typeof PARENT_TYPES)[number];

export const EMAIL_MODULES = ['Contacts', 'Accounts', 'Leads'] as const;
export type EmailModule = (typeof EMAIL_MODULES)[number];
