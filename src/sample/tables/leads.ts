import type { Value } from '../../core/types.js';
import { SPACE } from '../crm-plan.js';
import { birthdate, description, optional, phone, picklist } from '../dirt.js';
import { groupThousands } from '../money.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { address, addressKeys, addressSpecs, assignedUser, audit, softDeleted } from './bean-columns.js';
import { countNonAscii } from './person-name.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const spec = defineTable(
  'leads',
  [
    ['id', 'char(36)'],
    ...AUDIT_COLUMNS,
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
    ['assigned_user_id', 'char(36)'],
    ['salutation', 'varchar(255)'],
    ['first_name', 'varchar(100)'],
    ['last_name', 'varchar(100)'],
    ['title', 'varchar(100)'],
    ['department', 'varchar(100)'],
    ['do_not_call', 'tinyint(1)'],
    ['phone_home', 'varchar(100)'],
    ['phone_mobile', 'varchar(100)'],
    ['phone_work', 'varchar(100)'],
    ['phone_fax', 'varchar(100)'],
    ...addressSpecs('primary_address'),
    ['converted', 'tinyint(1)'],
    // Sugar's own spelling.
    ['refered_by', 'varchar(100)'],
    ['lead_source', 'varchar(100)'],
    ['status', 'varchar(100)'],
    ['account_name', 'varchar(255)'],
    ['contact_id', 'char(36)'],
    ['account_id', 'char(36)'],
    ['opportunity_amount', 'varchar(50)'],
    ['birthdate', 'date'],
    ['website', 'varchar(255)'],
  ],
  { indexes: [index('leads', ['last_name', 'first_name']), index('leads', ['contact_id']), index('leads', ['account_id'])] },
);

const PRIMARY = addressKeys('leads', 'primary_address');

/**
 * Leads are people who were never (plain), or already are, contacts: a converted lead links its
 * contact and account; a duplicate lead is the same person entered again and links nothing.
 */
function* rows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  const { jobTitles, departments, phrases, domains, firstNames } = plan.pools;
  for (let i = 0; i < plan.sizes.leads; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.leads, i));
    const kind = plan.leadKind(i);
    const contact = plan.leadContact(i);
    if (kind !== 'plain') tally.add('leadsOfContacts', kind);
    const [first, last] = kind === 'plain' ? plan.personName(SPACE.leads, i) : plan.personName(SPACE.contacts, contact);
    countNonAscii(tally, 'leads', first, last);
    const account = kind === 'converted' ? plan.primaryAccountOf(contact) : -1;
    const converted = kind === 'converted';
    const primary = address(context, rng, PRIMARY, 0.3);
    yield spec.toRow({
      id: plan.id(SPACE.leads, i),
      ...audit(context, rng, 'leads', SPACE.leads, i),
      description: description(rng, tally, 'leads.description', phrases),
      deleted: softDeleted(context, rng, 'leads'),
      assigned_user_id: assignedUser(context, rng, 'leads', SPACE.leads, i),
      salutation: optional(rng, tally, 'leads.salutation', 0.5, 0.2, () => picklist(rng, tally, 'contacts.salutation', 0)),
      first_name: first,
      last_name: last,
      title: optional(rng, tally, 'leads.title', 0.3, 0.05, () => rng.pick(jobTitles)),
      department: optional(rng, tally, 'leads.department', 0.6, 0.05, () => rng.pick(departments)),
      do_not_call: rng.chance(0.03),
      phone_home: phone(rng, tally, 'leads.phone_home', 0.7, 0.05),
      phone_mobile: phone(rng, tally, 'leads.phone_mobile', 0.3, 0.05),
      phone_work: phone(rng, tally, 'leads.phone_work', 0.2, 0.05),
      phone_fax: phone(rng, tally, 'leads.phone_fax', 0.9, 0.02),
      primary_address_street: primary.street,
      primary_address_city: primary.city,
      primary_address_state: primary.state,
      primary_address_postalcode: primary.postalcode,
      primary_address_country: primary.country,
      converted,
      refered_by: rng.chance(0.9) ? tally.nul('leads.refered_by') : rng.pick(firstNames),
      lead_source: optional(rng, tally, 'leads.lead_source', 0.1, 0.1, () => picklist(rng, tally, 'leads.lead_source', 0.05)),
      status: converted ? 'Converted' : optional(rng, tally, 'leads.status', 0.05, 0.05, () => picklist(rng, tally, 'leads.status', 0.05)),
      account_name:
        account >= 0
          ? plan.accountName(account)
          : optional(rng, tally, 'leads.account_name', 0.2, 0.1, () => plan.accountName(rng.int(plan.sizes.accounts))),
      contact_id: converted ? plan.id(SPACE.contacts, contact) : tally.nul('leads.contact_id'),
      account_id: account >= 0 ? plan.id(SPACE.accounts, account) : tally.nul('leads.account_id'),
      // A varchar in Sugar: typed by hand.
      opportunity_amount: optional(rng, tally, 'leads.opportunity_amount', 0.6, 0.1, () =>
        rng.chance(0.5) ? `$${groupThousands(String(rng.between(1, 400) * 250))}` : String(rng.between(1, 400) * 250),
      ),
      birthdate: birthdate(rng, tally, 'leads.birthdate'),
      website: optional(rng, tally, 'leads.website', 0.7, 0.1, () => `www.${rng.pick(domains)}`),
    });
  }
}

export const leadsTable: LegacyTableGenerator = { spec, rows };
