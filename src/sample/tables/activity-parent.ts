import { SPACE } from '../crm-plan.js';
import { columnKey } from '../manifest.js';
import type { ParentType } from '../picklists.js';
import { type Rng, weightedChoice } from '../prng.js';
import type { TableContext } from './table-context.js';

export interface ActivityParent {
  parent_type: string | null;
  parent_id: string | null;
  contact_id: string | null;
}

const PARENT_TYPE = weightedChoice<ParentType>({ Accounts: 30, Contacts: 40, Opportunities: 20, Leads: 10 });
const PARENT_SPACE: Readonly<Record<ParentType, number>> = {
  Accounts: SPACE.accounts,
  Contacts: SPACE.contacts,
  Opportunities: SPACE.opportunities,
  Leads: SPACE.leads,
};

/**
 * Sugar's polymorphic parent: parent_type names the module, parent_id its row. contact_id is the
 * contact itself, or for an account parent the account's first contact; about 1% of activities
 * have no parent at all (both NULL). With `orphan`, parent_id names a row that does not exist.
 */
export function activityParent({ plan, tally }: TableContext, rng: Rng, table: string, orphan: boolean): ActivityParent {
  const contactKey = columnKey(table, 'contact_id');
  if (!orphan && rng.chance(0.01)) {
    return {
      parent_type: tally.nul(columnKey(table, 'parent_type')),
      parent_id: tally.nul(columnKey(table, 'parent_id')),
      contact_id: tally.nul(contactKey),
    };
  }
  let type = rng.choose(PARENT_TYPE);
  if (sizeOf(plan.sizes, type) === 0) type = 'Accounts';
  const target = rng.int(sizeOf(plan.sizes, type));
  let contact = type === 'Contacts' ? target : -1;
  if (type === 'Accounts') contact = plan.firstContactOf(target);
  if (orphan) tally.add('orphans', columnKey(table, 'parent_id'));
  return {
    parent_type: type,
    parent_id: orphan ? plan.orphanId(PARENT_SPACE[type], target) : plan.id(PARENT_SPACE[type], target),
    contact_id: contact >= 0 && !orphan ? plan.id(SPACE.contacts, contact) : tally.nul(contactKey),
  };
}

function sizeOf(sizes: TableContext['plan']['sizes'], type: ParentType): number {
  switch (type) {
    case 'Accounts':
      return sizes.accounts;
    case 'Contacts':
      return sizes.contacts;
    case 'Opportunities':
      return sizes.opportunities;
    default:
      return sizes.leads;
  }
}
