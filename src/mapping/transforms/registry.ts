import { boolean } from './boolean.js';
import { coalesce, concat, defaultValue, template } from './combine.js';
import { custom } from './custom.js';
import { date } from './date.js';
import { email } from './email.js';
import { jsonPath, toJson } from './json.js';
import { joinMultiselect, multiselect } from './multiselect.js';
import { joinName, personName } from './name.js';
import { integer, money, number } from './number.js';
import { phone } from './phone.js';
import { picklist } from './picklist.js';
import { join, split } from './split-join.js';
import { blankToNull, changeCase, regexReplace, trim, truncate } from './text.js';
import { timestamp } from './timestamp.js';
import type { TransformDefinition } from './transform.js';
import { urlDomain } from './url-domain.js';

/** Transforms by name. Immutable: `with` gives a new registry, so a run's set is fixed once built. */
export class TransformRegistry {
  private readonly byName: ReadonlyMap<string, TransformDefinition>;

  constructor(definitions: readonly TransformDefinition[]) {
    const byName = new Map<string, TransformDefinition>();
    for (const definition of definitions) {
      if (byName.has(definition.name)) throw new Error(`duplicate transform name "${definition.name}"`);
      byName.set(definition.name, definition);
    }
    this.byName = byName;
  }

  get(name: string): TransformDefinition | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** A registry with `definitions` added; a name already taken is an error, not an override. */
  with(definitions: readonly TransformDefinition[]): TransformRegistry {
    return new TransformRegistry([...this.byName.values(), ...definitions]);
  }
}

export const BUILTIN_TRANSFORMS: readonly TransformDefinition[] = [
  trim,
  changeCase,
  blankToNull,
  split,
  join,
  concat,
  template,
  defaultValue,
  coalesce,
  picklist,
  boolean,
  date,
  timestamp,
  number,
  money,
  integer,
  email,
  phone,
  personName,
  joinName,
  urlDomain,
  multiselect,
  joinMultiselect,
  jsonPath,
  toJson,
  truncate,
  regexReplace,
  custom,
];

export const builtinRegistry = new TransformRegistry(BUILTIN_TRANSFORMS);
