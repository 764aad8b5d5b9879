/**
 * Documented picklist values of CRMs that mean a modern value, as data: SugarCRM's `*_dom`
 * lists, Salesforce's default opportunity stages, lead and task statuses, HubSpot's default
 * deal stages and lead statuses. Keys are target values; values are source spellings (compared
 * trimmed, case-insensitively, ignoring punctuation).
 */
export const VALUE_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  // Opportunity stages.
  new: ['Prospecting', 'appointmentscheduled', 'Appointment Scheduled', 'New', 'Open', 'Not Contacted'],
  qualified: [
    'Qualification',
    'Needs Analysis',
    'Value Proposition',
    'Id. Decision Makers',
    'qualifiedtobuy',
    'Qualified To Buy',
    'Qualified',
  ],
  proposal: [
    'Perception Analysis',
    'Proposal/Price Quote',
    'presentationscheduled',
    'Presentation Scheduled',
    'decisionmakerboughtin',
    'Decision Maker Bought-In',
    'Proposal',
  ],
  negotiation: ['Negotiation/Review', 'contractsent', 'Contract Sent', 'Negotiation'],
  won: ['Closed Won', 'closedwon', 'Won'],
  lost: ['Closed Lost', 'closedlost', 'Lost'],
  // Lead statuses.
  working: [
    'Assigned',
    'In Process',
    'Working - Contacted',
    'Working',
    'IN_PROGRESS',
    'Attempted to Contact',
    'Connected',
    'Open - Not Contacted',
  ],
  nurturing: ['Recycled', 'Nurturing', 'Cold'],
  converted: ['Converted', 'Closed - Converted'],
  unqualified: ['Dead', 'Closed - Not Converted', 'Unqualified', 'Bad Timing'],
  // Task statuses.
  open: ['Not Started', 'Planned', 'Open'],
  in_progress: ['In Progress'],
  waiting: ['Pending Input', 'Waiting on someone else', 'Waiting'],
  deferred: ['Deferred'],
  completed: ['Completed', 'Held', 'Done'],
  cancelled: ['Not Held', 'Cancelled', 'Canceled'],
};
