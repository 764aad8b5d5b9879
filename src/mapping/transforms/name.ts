import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { joinNonBlank } from './combine.js';
import { multi, single, type TransformDefinition } from './transform.js';
import { isBlank, isBlankText, textOf } from './value-text.js';

const PARTS = ['title', 'first', 'middle', 'last', 'suffix'] as const;
type NamePart = (typeof PARTS)[number];
type ParsedName = Record<NamePart, string | null>;

/** Compared lower-case without dots, so "Dr", "Dr." and "DR." are one title. */
const TITLES = new Set(
  'mr mrs ms miss mx dr prof rev fr sir dame lord lady hon capt col gen lt sgt maj mme mlle herr frau sra srta'.split(' '),
);
const SUFFIXES = new Set('jr sr ii iii iv phd md dds dvm esq cpa mba jd rn do'.split(' '));
/** Lower-case words that belong to the family name: "Ludwig van Beethoven" → last "van Beethoven". */
const PARTICLES = new Set('van von der den de del della di da dos das du la le st ter bin ibn al'.split(' '));
const DOTS = /\./g;
const SPACES = /\s+/;

function key(token: string): string {
  return token.toLowerCase().replace(DOTS, '');
}

/**
 * Splits a person's full name: "Dr. Jane A. Smith Jr.", "Smith, Jane A.", "Ludwig van
 * Beethoven". Titles and suffixes come off the ends; with a comma the family name comes
 * first. A single word is the last name (CRMs require a last name, not a first).
 */
export function parseName(full: string): ParsedName {
  const out: ParsedName = { title: null, first: null, middle: null, last: null, suffix: null };
  const commaParts = full.split(',').map((p) => p.trim());
  // "John Smith, Jr." and "Smith, John, Jr.": trailing comma parts made only of suffixes.
  const suffixes: string[] = [];
  while (commaParts.length > 1 && commaParts[commaParts.length - 1].split(SPACES).every((t) => SUFFIXES.has(key(t)))) {
    suffixes.unshift(commaParts.pop() as string);
  }
  const familyFirst = commaParts.length > 1;
  const tokens = (familyFirst ? commaParts.slice(1).join(' ') : commaParts[0]).split(SPACES).filter((t) => t !== '');
  const titles: string[] = [];
  while (tokens.length > 1 && TITLES.has(key(tokens[0]))) titles.push(tokens.shift() as string);
  while (tokens.length > (familyFirst ? 0 : 1) && SUFFIXES.has(key(tokens[tokens.length - 1]))) {
    suffixes.unshift(tokens.pop() as string);
  }
  let lastTokens: string[];
  if (familyFirst) {
    lastTokens = commaParts[0].split(SPACES).filter((t) => t !== '');
  } else {
    let start = tokens.length - 1;
    while (start > 1 && PARTICLES.has(tokens[start - 1].toLowerCase())) start--;
    lastTokens = tokens.splice(start);
  }
  const nonEmpty = (words: string[]) => (words.length > 0 ? words.join(' ') : null);
  out.title = nonEmpty(titles);
  out.suffix = nonEmpty(suffixes);
  out.last = nonEmpty(lastTokens);
  out.first = nonEmpty(tokens.slice(0, 1));
  out.middle = nonEmpty(tokens.slice(1));
  return out;
}

const nameParams = z.union([z.enum(PARTS).transform((part) => ({ part })), z.strictObject({ part: z.enum(PARTS) })]);

export const personName: TransformDefinition<{ part: NamePart }> = {
  name: 'name',
  usage: 'name: { part: first | middle | last | title | suffix }   (or name: last)',
  params: nameParams,
  compile: ({ part }) =>
    single((value) => {
      const text = textOf('name', value).trim();
      return isBlankText(text) ? null : parseName(text)[part];
    }),
};

const joinNameParams = z
  .strictObject({
    /** What each from column holds, in order; default [first, last], or [first, middle, last] for three. */
    parts: z.array(z.enum(PARTS)).min(1).optional(),
    /** `first_last`: "Dr. Jane A. Smith Jr."; `last_first`: "Smith, Dr. Jane A., Jr.". */
    format: z.enum(['first_last', 'last_first']).default('first_last'),
  })
  .default({ format: 'first_last' });

type JoinNameParams = z.output<typeof joinNameParams>;

/** Builds a display name from name-part columns; blank parts are left out. */
export const joinName: TransformDefinition<JoinNameParams> = {
  name: 'join_name',
  usage: 'join_name: { parts?: [first, middle, last], format?: first_last | last_first }   (first step)',
  params: joinNameParams,
  multiInput: true,
  compile: (params, ctx) => {
    const parts = params.parts ?? (ctx.inputNames.length === 3 ? ['first', 'middle', 'last'] : ['first', 'last']);
    if (ctx.inputNames.length > 0 && parts.length !== ctx.inputNames.length) {
      throw new CrmError('CRM_M5001', `parts lists ${parts.length} name parts for ${ctx.inputNames.length} from columns`);
    }
    const at = (part: NamePart) => parts.indexOf(part);
    const order = PARTS.map(at);
    const given = ['title', 'first', 'middle'].map((p) => at(p as NamePart));
    const [lastAt, suffixAt] = [at('last'), at('suffix')];
    const pick = (values: readonly Value[], positions: readonly number[]) => positions.map((i) => (i < 0 ? null : (values[i] ?? null)));
    if (params.format === 'first_last') return multi((values) => joinNonBlank('join_name', pick(values, order), ' '));
    return multi((values) => {
      const last = lastAt < 0 ? null : (values[lastAt] ?? null);
      const suffix = suffixAt < 0 ? null : (values[suffixAt] ?? null);
      const rest = joinNonBlank('join_name', pick(values, given), ' ');
      return joinNonBlank('join_name', [isBlank(last) ? null : last, rest, isBlank(suffix) ? null : suffix], ', ');
    });
  },
};
