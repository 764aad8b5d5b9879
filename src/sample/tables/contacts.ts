import type { Value } from '../../core/types.js';
import { formatSeconds } from '../calendar.js';
import { SPACE } from '../crm-plan.js';
import { birthdate, datetimeBetween, description, optional, phone, picklist } from '../dirt.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { address, addressKeys, addressSpecs, assignedUser, audit, softDeleted } from './bean-columns.js';
import { countNonAscii } from './person-name.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const contacts = defineTable(
  'contacts',
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
    ['department', 'varchar(255)'],
    ['do_not_call', 'tinyint(1)'],
    ['phone_home', 'varchar(100)'],
    ['phone_mobile', 'varchar(100)'],
    ['phone_work', 'varchar(100)'],
    ['phone_other', 'varchar(100)'],
    ['phone_fax', 'varchar(100)'],
    ...addressSpecs('primary_address'),
    ...addressSpecs('alt_address'),
    ['assistant', 'varchar(75)'],
    ['assistant_phone', 'varchar(100)'],
    ['lead_source', 'varchar(255)'],
    ['reports_to_id', 'char(36)'],
    ['birthdate', 'date'],
  ],
  { indexes: [index('contacts', ['last_name', 'first_name']), index('contacts', ['reports_to_id'])] },
);

const PRIMARY = addressKeys('contacts', 'primary_address');
const ALT = addressKeys('contacts', 'alt_address');

function* contactRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  const { jobTitles, departments, firstNames, phrases } = plan.pools;
  for (let i = 0; i < plan.sizes.contacts; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.contacts, i));
    const [first, last] = plan.personName(SPACE.contacts, i);
    countNonAscii(tally, 'contacts', first, last);
    const primary = address(context, rng, PRIMARY, 0.1);
    const alt = address(context, rng, ALT, 0.7);
    yield contacts.toRow({
      id: plan.id(SPACE.contacts, i),
      ...audit(context, rng, 'contacts', SPACE.contacts, i),
      description: description(rng, tally, 'contacts.description', phrases),
      deleted: softDeleted(context, rng, 'contacts'),
      assigned_user_id: assignedUser(context, rng, 'contacts', SPACE.contacts, i),
      salutation: optional(rng, tally, 'contacts.salutation', 0.4, 0.2, () => picklist(rng, tally, 'contacts.salutation', 0)),
      first_name: optional(rng, tally, 'contacts.first_name', 0.01, 0.01, () => first),
      last_name: last,
      title: optional(rng, tally, 'contacts.title', 0.2, 0.05, () => rng.pick(jobTitles)),
      department: optional(rng, tally, 'contacts.department', 0.5, 0.05, () => rng.pick(departments)),
      do_not_call: rng.chance(0.01) ? tally.nul('contacts.do_not_call') : rng.chance(0.05),
      phone_home: phone(rng, tally, 'contacts.phone_home', 0.6, 0.05),
      phone_mobile: phone(rng, tally, 'contacts.phone_mobile', 0.3, 0.05),
      phone_work: phone(rng, tally, 'contacts.phone_work', 0.15, 0.05),
      phone_other: phone(rng, tally, 'contacts.phone_other', 0.85, 0.03),
      phone_fax: phone(rng, tally, 'contacts.phone_fax', 0.8, 0.05),
      primary_address_street: primary.street,
      primary_address_city: primary.city,
      primary_address_state: primary.state,
      primary_address_postalcode: primary.postalcode,
      primary_address_country: primary.country,
      alt_address_street: alt.street,
      alt_address_city: alt.city,
      alt_address_state: alt.state,
      alt_address_postalcode: alt.postalcode,
      alt_address_country: alt.country,
      assistant: rng.chance(0.9) ? tally.nul('contacts.assistant') : rng.pick(firstNames),
      assistant_phone: phone(rng, tally, 'contacts.assistant_phone', 0.9, 0.02),
      lead_source: optional(rng, tally, 'contacts.lead_source', 0.2, 0.1, () => picklist(rng, tally, 'contacts.lead_source', 0.05)),
      reports_to_id: reportsTo(context, rng, i),
      birthdate: birthdate(rng, tally, 'contacts.birthdate'),
    });
  }
}

/** About 20% of contacts report to the first contact of their account (if it is linked there too); none is NULL or ''. */
function reportsTo({ plan, tally }: TableContext, rng: Rng, i: number): string | null {
  const r = rng.next();
  const account = plan.primaryAccountOf(i);
  const boss = account >= 0 ? plan.firstContactOf(account) : -1;
  if (boss >= 0 && boss !== i && plan.primaryAccountOf(boss) === account && r < 0.2) return plan.id(SPACE.contacts, boss);
  return r < 0.97 ? tally.nul('contacts.reports_to_id') : tally.blank('contacts.reports_to_id');
}

const contactsCstm = defineTable('contacts_cstm', [
  ['id_c', 'char(36)'],
  ['preferred_language_c', 'varchar(100)'],
  ['linkedin_c', 'varchar(255)'],
  ['score_c', 'int(11)'],
  ['newsletter_c', 'tinyint(1)'],
  ['interests_c', 'text'],
  ['last_contacted_c', 'datetime'],
]);

const LANGUAGES = ['en_us', 'en_US', 'de_DE', 'fr_FR', 'es_ES', 'ja_JP', 'English'];
const INTERESTS = ['golf', 'tennis', 'sailing', 'wine', 'tech', 'travel'];

/** Sugar stores a multienum as '^a^,^b^' (crmbridge's mapping must make it a multiselect); none picked is ''. */
function interests(rng: Rng, tally: TableContext['tally']): string | null {
  if (rng.chance(0.3)) return tally.nul('contacts_cstm.interests_c');
  const picked = INTERESTS.filter(() => rng.chance(0.3));
  return picked.length === 0 ? tally.blank('contacts_cstm.interests_c') : picked.map((v) => `^${v}^`).join(',');
}

function* contactCstmRows({ plan, tally }: TableContext): Iterable<Value[]> {
  for (let i = 0; i < plan.sizes.contacts; i++) {
    if (!plan.hasContactCstm(i)) continue;
    const rng = new Rng(plan.rowSeed(SPACE.contacts + 100, i));
    const [first, last] = plan.personName(SPACE.contacts, i);
    yield contactsCstm.toRow({
      id_c: plan.id(SPACE.contacts, i),
      preferred_language_c: optional(rng, tally, 'contacts_cstm.preferred_language_c', 0.3, 0.1, () => rng.pick(LANGUAGES)),
      linkedin_c: optional(
        rng,
        tally,
        'contacts_cstm.linkedin_c',
        0.6,
        0.1,
        () => `https://www.linkedin.com/in/${encodeURIComponent(`${first}-${last}`.toLowerCase())}-${i}`,
      ),
      score_c: rng.chance(0.4) ? tally.nul('contacts_cstm.score_c') : rng.between(0, 100),
      newsletter_c: rng.chance(0.1) ? tally.nul('contacts_cstm.newsletter_c') : rng.chance(0.4),
      interests_c: interests(rng, tally),
      last_contacted_c: rng.chance(0.3)
        ? tally.nul('contacts_cstm.last_contacted_c')
        : formatSeconds(datetimeBetween(rng, tally, 'contacts_cstm.last_contacted_c', 2015, 2025)),
    });
  }
}

export const contactsTable: LegacyTableGenerator = { spec: contacts, rows: contactRows };
export const contactsCstmTable: LegacyTableGenerator = { spec: contactsCstm, rows: contactCstmRows };
