import { formatSeconds, SECONDS_PER_DAY } from '../calendar.js';
import { datetimeBetween, optional } from '../dirt.js';
import { columnKey } from '../manifest.js';
import type { Rng } from '../prng.js';
import type { TableContext } from './table-context.js';

/**
 * Column groups every Sugar bean shares (audit, owner, soft delete, addresses), generated the
 * same way for every table so that dirt rates and manifest keys are uniform.
 */

export interface AuditValues {
  date_entered: string;
  date_modified: string;
  modified_user_id: string;
  created_by: string;
}

/** Created 2008..2024, modified up to two years later; creators often the admin (imports). */
export function audit({ plan, tally }: TableContext, rng: Rng, table: string, space: number, index: number): AuditValues {
  const entered = datetimeBetween(rng, tally, columnKey(table, 'date_entered'), 2008, 2024);
  const modified = entered + rng.int(730 * SECONDS_PER_DAY);
  return {
    date_entered: formatSeconds(entered),
    date_modified: formatSeconds(modified),
    modified_user_id: plan.someUserId(space, 1, index),
    created_by: plan.someUserId(space, 2, index),
  };
}

/** assigned_user_id: a user, or (rarely) NULL or ''. */
export function assignedUser({ plan, tally }: TableContext, rng: Rng, table: string, space: number, index: number): string | null {
  const r = rng.next();
  const key = columnKey(table, 'assigned_user_id');
  if (r < 0.02) return tally.nul(key);
  if (r < 0.03) return tally.blank(key);
  return plan.someUserId(space, 3, index);
}

/** The soft-delete flag, set on about `rate` of rows (counted). */
export function softDeleted({ tally }: TableContext, rng: Rng, table: string, rate = 0.02): boolean {
  if (!rng.chance(rate)) return false;
  tally.add('softDeleted', table);
  return true;
}

const COUNTRIES = ['USA', 'USA', 'USA', 'United States', 'US', 'U.S.A.', 'Canada', 'United Kingdom', 'Germany', 'France'];

export interface Address {
  street: string | null;
  city: string | null;
  state: string | null;
  postalcode: string | null;
  country: string | null;
}

const ADDRESS_PARTS = ['street', 'city', 'state', 'postalcode', 'country'] as const;

/** The manifest keys of one address column group, e.g. 'contacts.primary_address_city'. */
export type AddressKeys = Readonly<Record<keyof Address, string>>;

export function addressKeys(table: string, prefix: string): AddressKeys {
  return Object.fromEntries(ADDRESS_PARTS.map((part) => [part, columnKey(table, `${prefix}_${part}`)])) as AddressKeys;
}

/** A postal address; each part may be NULL or '' (counted under `keys`). */
export function address({ plan, tally }: TableContext, rng: Rng, keys: AddressKeys, pEmpty: number): Address {
  const { streets, cities, states, postalCodes } = plan.pools;
  return {
    street: optional(rng, tally, keys.street, pEmpty, 0.03, () => rng.pick(streets)),
    city: optional(rng, tally, keys.city, pEmpty, 0.02, () => rng.pick(cities)),
    state: optional(rng, tally, keys.state, pEmpty, 0.05, () => rng.pick(states)),
    postalcode: optional(rng, tally, keys.postalcode, pEmpty, 0.03, () => rng.pick(postalCodes)),
    country: optional(rng, tally, keys.country, pEmpty, 0.1, () => rng.pick(COUNTRIES)),
  };
}

/** The same address under other columns (users copy billing to shipping); its empties are counted there too. */
export function copiedAddress({ tally }: TableContext, keys: AddressKeys, source: Address): Address {
  for (const part of ADDRESS_PARTS) {
    if (source[part] === null) tally.add('nulls', keys[part]);
    else if (source[part] === '') tally.add('blanks', keys[part]);
  }
  return source;
}

/** Sugar's address column declarations for a prefix. */
export function addressSpecs<P extends string>(prefix: P) {
  return [
    [`${prefix}_street`, 'varchar(150)'],
    [`${prefix}_city`, 'varchar(100)'],
    [`${prefix}_state`, 'varchar(100)'],
    [`${prefix}_postalcode`, 'varchar(20)'],
    [`${prefix}_country`, 'varchar(255)'],
  ] as const;
}
