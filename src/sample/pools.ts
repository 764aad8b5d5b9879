// The English locale's own entry: the package root would load every locale's data (megabytes).
import { faker } from '@faker-js/faker/locale/en';

/**
 * Word pools drawn once from faker with a fixed seed (faker is far too slow to call per row),
 * then indexed by the sample's own seeded PRNG. The pools do not depend on the sample seed, so
 * every seed draws from the same vocabulary. Pool values are printable ASCII: non-ASCII text is
 * planted (and counted) separately, see `dirt.ts`.
 */
export interface Pools {
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  readonly streets: readonly string[];
  readonly cities: readonly string[];
  readonly states: readonly string[];
  readonly postalCodes: readonly string[];
  readonly jobTitles: readonly string[];
  readonly departments: readonly string[];
  readonly domains: readonly string[];
  readonly phrases: readonly string[];
  readonly products: readonly string[];
}

const POOL_SEED = 20240601;
const ASCII = /^[\x20-\x7e]+$/;

function distinct(size: number, draw: () => string, maxLength: number): string[] {
  const seen = new Set<string>();
  const folded = new Set<string>();
  // Bounded attempts: small vocabularies (US states) end before reaching `size`.
  for (let attempt = 0; attempt < size * 20 && seen.size < size; attempt++) {
    const value = draw().trim();
    const key = value.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (key.length > 0 && value.length <= maxLength && ASCII.test(value) && !folded.has(key)) {
      seen.add(value);
      folded.add(key);
    }
  }
  return [...seen];
}

let cached: Pools | undefined;

export function pools(): Pools {
  if (cached) return cached;
  const f = faker;
  f.seed(POOL_SEED);
  cached = {
    // Distinct after folding case and punctuation: account names and user names are built from
    // these and must be unique unless planted as duplicates.
    firstNames: distinct(400, () => f.person.firstName(), 30),
    lastNames: distinct(400, () => f.person.lastName(), 30),
    streets: distinct(600, () => f.location.streetAddress(), 60),
    cities: distinct(300, () => f.location.city(), 40),
    states: distinct(50, () => f.location.state({ abbreviated: true }), 2),
    postalCodes: distinct(400, () => f.location.zipCode(), 10),
    jobTitles: distinct(200, () => f.person.jobTitle(), 50),
    departments: distinct(40, () => f.commerce.department(), 30),
    domains: distinct(300, () => f.internet.domainName(), 40),
    phrases: distinct(400, () => f.hacker.phrase(), 200),
    products: distinct(100, () => f.commerce.productName(), 30),
  };
  return cached;
}
