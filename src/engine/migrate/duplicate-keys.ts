import type { Row, Value } from '../../core/types.js';
import type { DuplicatesRule } from '../../mapping/project/project-schema.js';

/**
 * Repeated source keys (a flattened report: one row per contact, the account repeated on each).
 * Every row of a key that several rows share gets one fate, decided from ALL the rows of the key
 * and the object's declared rule, never from where a batch, a key-range chunk or a resume starts:
 *
 * - rows identical to the first row of the key collapse into it (counted as `duplicates`);
 * - conflicting rows follow the rule: `reject` rejects every row of the key (CRM_R4015);
 *   `first` loads the first row and rejects the conflicting others as superseded (CRM_R4016,
 *   `rowLoaded`: the key IS in the target, so its children load); `merge` loads one row whose
 *   every field is the value the rows agree on (NULLs filled from the others) and counts the
 *   others as duplicates, unless two non-NULL values contradict, which rejects all (CRM_R4015).
 *
 * "First" is file order (line order) for files. A database table has no row order, so there the
 * rows of a key are taken in canonical order (by their values as text, column by column):
 * deterministic whatever the database returns.
 */

/** The fate of one row of a repeated key. */
export type Occurrence =
  /** This row stands for the key; `row` is what to load (the merged values under `merge`). */
  | { readonly kind: 'load'; readonly row: Row }
  /** Identical to (or merged into) the row loaded for the key. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'reject'; readonly code: 'CRM_R4015' | 'CRM_R4016'; readonly message: string; readonly rowLoaded: boolean };

/** A row of a repeated key that the rule rejects, as `SourceBatch` hands it on. */
export interface DuplicateReject {
  readonly sourceKey: string;
  /** The row as read from the base table (before joins and lookups). */
  readonly record: Row;
  readonly line?: number;
  readonly code: 'CRM_R4015' | 'CRM_R4016';
  readonly message: string;
  readonly rowLoaded: boolean;
}

/** The rows of a batch after the rule, with what it took out: collapsed rows and rejected ones. */
export interface ResolvedRows {
  readonly rows: Row[];
  readonly keys: string[];
  readonly lines?: number[];
  collapsed: number;
  readonly rejects: DuplicateReject[];
}

/** One value as text for comparing and ordering rows (NULL apart from every text). */
function valueText(v: Value): string {
  if (v === null) return '\\N';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v).replace(/\\/g, '\\\\');
}

const rowText = (row: Row): string => row.map(valueText).join('|');

/** The rows of one key, folded in order: the first, whether all equal it, the merged row or the first contradiction. */
export class KeyGroup {
  count = 0;
  #first: Row | undefined;
  #firstText = '';
  #merged: Row | undefined;
  /** The first column where a row differs from the first row. */
  #differs: { column: number; a: Value; b: Value } | undefined;
  /** The first column where two non-NULL values disagree (merge impossible). */
  #contradiction: { column: number; a: Value; b: Value } | undefined;

  add(row: Row): void {
    this.count++;
    if (!this.#first) {
      this.#first = row;
      this.#firstText = rowText(row);
      this.#merged = [...row];
      return;
    }
    const merged = this.#merged!;
    for (let c = 0; c < row.length; c++) {
      const a = merged[c];
      const b = row[c];
      if (b === null) continue;
      if (a === null) merged[c] = b;
      else if (valueText(a) !== valueText(b)) this.#contradiction ??= { column: c, a, b };
    }
    if (!this.#differs) {
      const first = this.#first;
      const c = row.findIndex((v, i) => valueText(v) !== valueText(first[i]));
      if (c >= 0) this.#differs = { column: c, a: first[c], b: row[c] };
    }
  }

  /** The fate of the n-th row (0-based, in the key's order) of the key, `row` being that row. */
  occurrence(n: number, row: Row, rule: DuplicatesRule, columns: readonly string[], sourceKey: string): Occurrence {
    if (!this.#differs) return n === 0 ? { kind: 'load', row } : { kind: 'duplicate' };
    const conflict = (d: { column: number; a: Value; b: Value }) =>
      `source key ${sourceKey} occurs ${this.count} times with different values (${columns[d.column]}: ${show(d.a)} ≠ ${show(d.b)})`;
    if (rule === 'merge' && !this.#contradiction) return n === 0 ? { kind: 'load', row: this.#merged! } : { kind: 'duplicate' };
    if (rule === 'first') {
      if (n === 0) return { kind: 'load', row };
      if (rowText(row) === this.#firstText) return { kind: 'duplicate' };
      return {
        kind: 'reject',
        code: 'CRM_R4016',
        message: `${conflict(this.#differs)}; the first row of the key was loaded (rule first)`,
        rowLoaded: true,
      };
    }
    return {
      kind: 'reject',
      code: 'CRM_R4015',
      message: `${conflict(this.#contradiction ?? this.#differs)}; none is loaded (rule ${rule})`,
      rowLoaded: false,
    };
  }
}

function show(v: Value): string {
  return v === null ? 'NULL' : `'${valueText(v)}'`;
}

/**
 * Applies the rule within one batch that holds EVERY row of each of its keys (a keyed source read
 * in key order, whose batches never split a key; or rows read by key). Rows of a key are taken in
 * canonical order (see above); the loaded row keeps the place of the key's first row in the batch.
 */
export function resolveBatch(
  rows: readonly Row[],
  keys: readonly string[],
  columns: readonly string[],
  rule: DuplicatesRule,
  lines?: readonly number[],
): ResolvedRows {
  // Nearly every batch repeats no key: find that out with one Set, before a position list per key.
  if (new Set(keys).size === keys.length) {
    return { rows: [...rows], keys: [...keys], ...(lines ? { lines: [...lines] } : {}), collapsed: 0, rejects: [] };
  }
  const positions = new Map<string, number[]>();
  for (const [i, k] of keys.entries()) {
    const at = positions.get(k);
    if (at) at.push(i);
    else positions.set(k, [i]);
  }
  const fates = new Map<number, Occurrence>();
  for (const [key, at] of positions) {
    if (at.length === 1) continue;
    const ordered = lines ? at : [...at].sort((x, y) => compareRows(rows[x], rows[y]));
    const group = new KeyGroup();
    for (const i of ordered) group.add(rows[i]);
    for (const [n, i] of ordered.entries()) fates.set(i, group.occurrence(n, rows[i], rule, columns, key));
  }
  const out = emptyResolved(lines !== undefined);
  const firstOf = (k: string) => positions.get(k)![0];
  // The loaded row of a key goes where the key's first row was, so the batch keeps its order.
  const loadedAt = new Map<number, Row>();
  for (const [i, fate] of fates) if (fate.kind === 'load') loadedAt.set(firstOf(keys[i]), fate.row);
  for (let i = 0; i < rows.length; i++) {
    const fate = fates.get(i);
    if (fate) count(out, keys[i], rows[i], fate, lines?.[i]);
    const row = fate ? loadedAt.get(i) : rows[i];
    if (row) push(out, row, keys[i], lines?.[i]);
  }
  return out;
}

function emptyResolved(withLines: boolean): ResolvedRows {
  return { rows: [], keys: [], ...(withLines ? { lines: [] } : {}), collapsed: 0, rejects: [] };
}

/** Counts a row that is not loaded as itself: collapsed, or rejected. */
function count(out: ResolvedRows, sourceKey: string, record: Row, fate: Occurrence, line: number | undefined): void {
  if (fate.kind === 'duplicate') out.collapsed++;
  if (fate.kind !== 'reject') return;
  out.rejects.push({
    sourceKey,
    record,
    ...(line !== undefined ? { line } : {}),
    code: fate.code,
    message: fate.message,
    rowLoaded: fate.rowLoaded,
  });
}

function push(out: ResolvedRows, row: Row, key: string, line: number | undefined): void {
  out.rows.push(row);
  out.keys.push(key);
  if (line !== undefined) out.lines?.push(line);
}

/** Canonical order of rows: column by column, NULL first, then by the value's text (code units). */
function compareRows(a: Row, b: Row): number {
  for (let c = 0; c < a.length; c++) {
    if (a[c] === b[c]) continue;
    if (a[c] === null) return -1;
    if (b[c] === null) return 1;
    const x = valueText(a[c]);
    const y = valueText(b[c]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Files: the rows of a key can be anywhere, so the keys are known before the load. `build` reads
 * the file twice: the keys only (each key counted: memory grows with the distinct keys, not the
 * rows), then the rows of the repeated keys, folded per key in line order. `resolve` then decides
 * each row of a batch from its key's group and how many rows of the key came before it — the
 * caller feeds every batch from the file's start (a resume discards the rows it already loaded
 * through `skip`, which still counts them), so the count never depends on where a run stopped.
 */
export class DuplicateIndex {
  readonly #groups: Map<string, KeyGroup>;
  readonly #seen = new Map<string, number>();

  private constructor(groups: Map<string, KeyGroup>) {
    this.#groups = groups;
  }

  /** The index of a file, or undefined when no key repeats (then rows pass untouched, at no cost). */
  static async build(read: () => AsyncIterable<{ rows: readonly Row[]; keys: readonly string[] }>): Promise<DuplicateIndex | undefined> {
    const counts = new Map<string, number>();
    for await (const b of read()) for (const k of b.keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const groups = new Map<string, KeyGroup>();
    for (const [k, n] of counts) if (n > 1) groups.set(k, new KeyGroup());
    counts.clear();
    if (groups.size === 0) return undefined;
    for await (const b of read()) for (const [i, k] of b.keys.entries()) groups.get(k)?.add(b.rows[i]);
    return new DuplicateIndex(groups);
  }

  /** Counts the rows of a batch already loaded by an earlier run (before the resume position). */
  skip(keys: readonly string[]): void {
    for (const k of keys) if (this.#groups.has(k)) this.#seen.set(k, (this.#seen.get(k) ?? 0) + 1);
  }

  resolve(
    rows: readonly Row[],
    keys: readonly string[],
    columns: readonly string[],
    rule: DuplicatesRule,
    lines?: readonly number[],
  ): ResolvedRows {
    const out = emptyResolved(lines !== undefined);
    for (const [i, k] of keys.entries()) {
      const group = this.#groups.get(k);
      if (!group) {
        push(out, rows[i], k, lines?.[i]);
        continue;
      }
      const n = this.#seen.get(k) ?? 0;
      this.#seen.set(k, n + 1);
      const fate = group.occurrence(n, rows[i], rule, columns, k);
      count(out, k, rows[i], fate, lines?.[i]);
      if (fate.kind === 'load') push(out, fate.row, k, lines?.[i]);
    }
    return out;
  }
}
