/**
 * What CRM objects are called in other systems, as data: SugarCRM/SuiteCRM module tables,
 * Salesforce standard objects, HubSpot object exports, Zoho/vtiger/Pipedrive names. Each list
 * holds singular words; a source table whose name has one of them names that concept.
 */
export const OBJECT_CONCEPTS: Readonly<Record<string, readonly string[]>> = {
  company: ['account', 'company', 'organization', 'organisation', 'org', 'business', 'customer', 'client', 'firm'],
  person: ['contact', 'person', 'people', 'individual'],
  opportunity: ['opportunity', 'deal', 'potential', 'oppty'],
  lead: ['lead', 'prospect', 'suspect'],
  note: ['note', 'annotation', 'memo'],
  task: ['task', 'todo', 'activity'],
  call: ['call', 'phonecall'],
  meeting: ['meeting', 'event', 'appointment'],
  user: ['user', 'employee', 'owner', 'staff'],
};

/** Words that mark a table as something other than a CRM object (side tables, audit, config). */
export const NON_OBJECT_WORDS: ReadonlySet<string> = new Set([
  'cstm',
  'audit',
  'rel',
  'relationship',
  'config',
  'log',
  'history',
  'version',
]);
