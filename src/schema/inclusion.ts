import type { Connector } from '../connectors/contract.js';
import { parseCanonicalText, toCanonicalText } from '../core/canonical.js';
import type { ColumnSchema } from '../core/types.js';
import { throwIfAborted } from './abort.js';
import type { Inclusion } from './analysis-types.js';

export interface InclusionLimits {
  /** Parent keys held in memory for an exact check; a larger parent is probed with `readByKeys`. */
  readonly keySetLimit: number;
  /** Distinct child values probed against a parent too large to hold. */
  readonly probeValues: number;
  /** Keys per `readByKeys` call. */
  readonly probeBatch: number;
}

export const DEFAULT_INCLUSION_LIMITS: InclusionLimits = { keySetLimit: 250_000, probeValues: 20_000, probeBatch: 1_000 };

const EXAMPLES = 5;
const READ_BATCH = 5_000;
/** Joins the parts of a composite key; cannot occur in canonical text of key types. */
const SEPARATOR = '\u0000';

/** The key a reference points at: a table's key columns, held as a Set of canonical texts when small enough. */
export class ParentKeys {
  private constructor(
    readonly table: string,
    readonly columns: readonly ColumnSchema[],
    /** Undefined when the parent has more keys than the limit: probe with `lookup` instead. */
    private readonly keys: Set<string> | undefined,
  ) {}

  static async load(
    connector: Connector,
    table: string,
    columns: readonly ColumnSchema[],
    limit: number,
    signal?: AbortSignal,
  ): Promise<ParentKeys> {
    let keys: Set<string> | undefined = new Set();
    const names = columns.map((c) => c.name);
    reading: for await (const batch of connector.read(table, { columns: names, batchSize: READ_BATCH, signal })) {
      throwIfAborted(signal);
      const at = names.map((n) => batch.columns.indexOf(n));
      for (const row of batch.rows) {
        const key = keyText(at.map((i, p) => toCanonicalText(row[i], columns[p].type)));
        if (key !== undefined) keys.add(key);
        if (keys.size > limit) {
          keys = undefined;
          break reading;
        }
      }
    }
    return new ParentKeys(table, columns, keys);
  }

  get inMemory(): boolean {
    return this.keys !== undefined;
  }

  has(key: string): boolean {
    return this.keys?.has(key) ?? false;
  }

  /** The subset of `keys` present in the parent, by `readByKeys` in batches. */
  async lookup(connector: Connector, keys: readonly string[], batchSize: number): Promise<Set<string>> {
    const found = new Set<string>();
    const names = this.columns.map((c) => c.name);
    for (let i = 0; i < keys.length; i += batchSize) {
      const tuples = keys
        .slice(i, i + batchSize)
        .map((k) => k.split(SEPARATOR).map((part, p) => parseCanonicalText(part, this.columns[p].type)));
      const batch = await connector.readByKeys(this.table, names, tuples, names);
      const at = names.map((n) => batch.columns.indexOf(n));
      for (const row of batch.rows) {
        const key = keyText(at.map((j, p) => toCanonicalText(row[j], this.columns[p].type)));
        if (key !== undefined) found.add(key);
      }
    }
    return found;
  }
}

/** The child side of a check: reference columns (parallel to the parent's), optionally only rows whose type column holds a value. */
export interface ChildColumns {
  readonly table: string;
  readonly columns: readonly ColumnSchema[];
  readonly filter?: { readonly column: ColumnSchema; readonly value: string };
  /** Check at most this many child rows (the `sampleRows` option). */
  readonly rowLimit?: number;
}

/**
 * Share of child references found among the parent's keys, with orphan rows and examples.
 * Child values are converted to the parent column's type first (`'42'` finds `42`); a value that
 * cannot be converted is an orphan. NULL references are not checked (SQL MATCH SIMPLE).
 * Exact when the parent keys are in memory; otherwise up to `probeValues` distinct child values
 * are probed with `readByKeys` and the result says `sampled` if the child had more.
 */
export async function checkInclusion(
  connector: Connector,
  child: ChildColumns,
  parent: ParentKeys,
  limits: InclusionLimits,
  signal?: AbortSignal,
): Promise<Inclusion> {
  const tally = new Tally();
  const pending = new Map<string, number>();
  let sampled = false;
  let rows = 0;
  const names = [...child.columns.map((c) => c.name), ...(child.filter ? [child.filter.column.name] : [])];
  reading: for await (const batch of connector.read(child.table, { columns: names, batchSize: READ_BATCH, signal })) {
    throwIfAborted(signal);
    const at = child.columns.map((c) => batch.columns.indexOf(c.name));
    const filterAt = child.filter ? batch.columns.indexOf(child.filter.column.name) : -1;
    for (const row of batch.rows) {
      if (child.rowLimit !== undefined && rows >= child.rowLimit) {
        sampled = true;
        break reading;
      }
      rows++;
      if (child.filter && toCanonicalText(row[filterAt], child.filter.column.type) !== child.filter.value) continue;
      const texts = at.map((i, p) => toCanonicalText(row[i], child.columns[p].type));
      if (texts.some((t) => t === null)) continue;
      if (texts.some((t) => t === '')) {
        tally.blank++;
        continue;
      }
      const key = keyText(texts.map((t, p) => convert(t!, parent.columns[p])));
      if (key === undefined) tally.orphan(texts.join(', '), 1);
      else if (parent.inMemory) {
        if (parent.has(key)) tally.matched += 1;
        else tally.orphan(key.split(SEPARATOR).join(', '), 1);
      } else if (pending.has(key) || pending.size < limits.probeValues) pending.set(key, (pending.get(key) ?? 0) + 1);
      else {
        sampled = true;
        break reading;
      }
    }
  }
  if (pending.size > 0) {
    const found = await parent.lookup(connector, [...pending.keys()], limits.probeBatch);
    for (const [key, count] of pending) {
      if (found.has(key)) tally.matched += count;
      else tally.orphan(key.split(SEPARATOR).join(', '), count);
    }
  }
  return tally.result(sampled);
}

class Tally {
  matched = 0;
  blank = 0;
  private orphans = 0;
  private readonly examples: string[] = [];

  orphan(display: string, rows: number): void {
    this.orphans += rows;
    if (this.examples.length < EXAMPLES && !this.examples.includes(display)) this.examples.push(display);
  }

  result(sampled: boolean): Inclusion {
    const checked = this.matched + this.orphans;
    return {
      checkedRows: checked,
      matchedRows: this.matched,
      orphanRows: this.orphans,
      share: checked === 0 ? 1 : this.matched / checked,
      orphanExamples: this.examples,
      sampled,
      blankRows: this.blank,
    };
  }
}

/** A child value in the parent column's canonical form, or undefined when it cannot be one. */
function convert(text: string, parentColumn: ColumnSchema): string | undefined {
  try {
    return toCanonicalText(parseCanonicalText(text, parentColumn.type), parentColumn.type) ?? undefined;
  } catch {
    return undefined;
  }
}

function keyText(parts: readonly (string | null | undefined)[]): string | undefined {
  if (parts.some((p) => p === null || p === undefined)) return undefined;
  return parts.join(SEPARATOR);
}
