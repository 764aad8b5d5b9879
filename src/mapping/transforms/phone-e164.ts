import { type CountryCode, Metadata } from 'libphonenumber-js/max';

/**
 * An exact fast path for `phone`: the result libphonenumber-js (max metadata) gives for
 * `parsePhoneNumberFromString(text, defaultCountry)` + `isValid()`, for the common plain shapes
 * only — `(415) 555-0100`, `415.555.0100`, `+44 20 7946 0958`, `… ext. 123`, `… x123` — and
 * `undefined` for anything else, which the caller then hands to libphonenumber-js itself.
 *
 * It follows libphonenumber-js's own steps (calling code, national prefix, country of a shared
 * calling code, number type) with the same metadata read through the same `Metadata` accessors;
 * what it saves is libphonenumber-js building a `RegExp` from pattern text and a `Metadata`
 * object for every check (`matchesEntirely`, `getCountryByNationalNumber`): here each pattern
 * is compiled once. Every step whose outcome would need any of libphonenumber-js's less common
 * branches (an IDD prefix, a national prefix or carrier code to strip, a calling code written
 * without `+`, non-geographic numbers, lengths outside 2–17) answers `undefined` instead.
 * test/unit/transforms/phone-e164.test.ts compares both on many varied strings.
 */
export interface PhoneParts {
  /** E.164: `+` calling code national number. */
  readonly number: string;
  readonly ext: string | undefined;
  readonly valid: boolean;
}

// Only ASCII digits and the punctuation below (all of it "valid punctuation" to libphonenumber,
// none of it an extension label): such text parses to exactly its digits.
const PLAIN = /^[ ().-]*(\+?)[ ().-]*(\d[\d ().-]*)$/;
/** A trailing `ext. 123` / `ext 123` / `x123`, set apart from the number by one space. */
const EXTENSION = /^(.*\d[ ().-]*) (?:ext\.? ?|x ?)(\d{1,9})$/;
const NON_DIGIT = /\D/g;
const MIN_NSN = 2;
const MAX_NSN = 17;
/** libphonenumber-js's MAX_INPUT_STRING_LENGTH; longer text never parses. */
const MAX_INPUT = 250;
const TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

interface TypeDef {
  pattern(): string;
  possibleLengths(): readonly number[] | undefined;
}
interface NumberingPlan {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(type: string): TypeDef | undefined;
}
interface FullMetadata {
  selectNumberingPlan(argument: string): FullMetadata;
  numberingPlan: NumberingPlan;
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): readonly string[] | undefined;
}

/** One numbering plan with its patterns compiled once, as libphonenumber-js would test them. */
interface Plan {
  readonly country: string;
  readonly callingCode: string;
  readonly idd: RegExp | undefined;
  readonly nationalPrefix: RegExp | undefined;
  readonly leadingDigits: RegExp | undefined;
  /** getNumberType(…) !== undefined: never for a plan without number types. */
  readonly typed: (nationalNumber: string) => boolean;
  /** isValid(): `typed`, or for a plan without number types its national number pattern. */
  readonly valid: (nationalNumber: string) => boolean;
}

const metadata = new Metadata() as unknown as FullMetadata;
const plans = new Map<string, Plan>();
const entirely = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

function planOf(country: string): Plan {
  let plan = plans.get(country);
  if (plan) return plan;
  const p = metadata.selectNumberingPlan(country).numberingPlan;
  const nnp = entirely(p.nationalNumberPattern());
  let typed: (n: string) => boolean = () => false;
  let valid: (n: string) => boolean;
  if (p.hasTypes()) {
    // getNumberType: the national pattern, then any type whose pattern is non-empty, whose
    // lengths (if any) include the number's, and which matches entirely.
    const types = TYPES.flatMap((name) => {
      const t = p.type(name);
      if (!t?.pattern()) return [];
      const lengths = t.possibleLengths();
      return [{ lengths, re: entirely(t.pattern()) }];
    });
    typed = (n) => nnp.test(n) && types.some((t) => (!t.lengths || t.lengths.includes(n.length)) && t.re.test(n));
    valid = typed;
  } else {
    valid = (n) => nnp.test(n);
  }
  const idd = p.IDDPrefix();
  const npfp = p.nationalPrefixForParsing();
  const ld = p.leadingDigits();
  plan = {
    country,
    callingCode: p.callingCode(),
    idd: idd ? new RegExp(idd) : undefined,
    nationalPrefix: npfp ? new RegExp(`^(?:${npfp})`) : undefined,
    leadingDigits: ld ? new RegExp(ld) : undefined,
    typed,
    valid,
  };
  plans.set(country, plan);
  return plan;
}

/** The countries sharing a calling code, main country first; undefined for non-geographic codes. */
const countriesByCode = new Map<string, readonly Plan[] | undefined>();
function countriesOf(callingCode: string): readonly Plan[] | undefined {
  if (countriesByCode.has(callingCode)) return countriesByCode.get(callingCode);
  const codes = metadata.getCountryCodesForCallingCode(callingCode);
  const list = codes && !codes.includes('001') ? codes.map(planOf) : undefined;
  countriesByCode.set(callingCode, list);
  return list;
}

/** getCountryByCallingCode → getCountryByNationalNumber. */
function exactCountry(countries: readonly Plan[], nationalNumber: string): Plan | undefined {
  if (countries.length === 1) return countries[0];
  for (const plan of countries) {
    if (plan.leadingDigits) {
      if (nationalNumber.search(plan.leadingDigits) === 0) return plan;
    } else if (plan.typed(nationalNumber)) {
      return plan;
    }
  }
  return undefined;
}

/** Calling codes are 1–3 digits and prefix-free; a code of a country, not a non-geographic one. */
function callingCodeOf(digits: string): string | undefined {
  for (let i = 1; i <= 3 && i < digits.length; i++) {
    const code = digits.slice(0, i);
    if (metadata.hasCallingCode(code)) return countriesOf(code) ? code : undefined;
  }
  return undefined;
}

export function fastPhoneParts(text: string, defaultCountry: CountryCode | undefined): PhoneParts | undefined {
  if (text.length > MAX_INPUT) return undefined;
  let main = text;
  let ext: string | undefined;
  const e = text.includes('x') ? EXTENSION.exec(text) : null; // both labels hold an x
  if (e) {
    main = e[1];
    ext = e[2];
  }
  const m = PLAIN.exec(main);
  if (!m) return undefined;
  const digits = m[2].replace(NON_DIGIT, '');
  let callingCode: string;
  let nationalNumber: string;
  /** The country parse keeps when no country of a shared calling code matches. */
  let fallbackCountry: Plan;
  if (m[1] === '+') {
    if (digits[0] === '0') return undefined;
    const code = callingCodeOf(digits);
    if (code === undefined) return undefined;
    callingCode = code;
    nationalNumber = digits.slice(code.length);
    fallbackCountry = countriesOf(code)![0];
    if (fallbackCountry.nationalPrefix?.test(nationalNumber)) return undefined;
  } else {
    if (defaultCountry === undefined) return undefined;
    const plan = planOf(defaultCountry);
    if (plan.idd && digits.search(plan.idd) === 0) return undefined;
    if (digits.startsWith(plan.callingCode)) return undefined;
    if (plan.nationalPrefix?.test(digits)) return undefined;
    if (!countriesOf(plan.callingCode)) return undefined;
    callingCode = plan.callingCode;
    nationalNumber = digits;
    fallbackCountry = plan;
  }
  if (nationalNumber.length < MIN_NSN || nationalNumber.length > MAX_NSN || digits.length < 3) return undefined;
  const country = exactCountry(countriesOf(callingCode)!, nationalNumber) ?? fallbackCountry;
  return { number: `+${callingCode}${nationalNumber}`, ext, valid: country.valid(nationalNumber) };
}
