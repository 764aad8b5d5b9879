import type { TableSchema } from '../../core/types.js';
import type { Analysis, ColumnProfile, JoinTable, TableProfile } from '../../schema/analysis-types.js';
import { HOUSEKEEPING_COLUMNS } from '../../schema/crm-vocabulary.js';
import type { TargetModel } from '../models/model-types.js';
import type { FieldSpec, LookupSpec } from '../project/project-schema.js';
import { type Evidence, type SourceColumn, scoreField } from './field-score.js';
import { matchObject, type ObjectMatch, splitParties } from './object-match.js';
import { suggestPicklist } from './picklist-suggest.js';
import { type SideTable, sourceLayout } from './source-layout.js';
import type { FieldSuggestion, ObjectSuggestion, SuggestReport } from './suggest-types.js';
import { catalogFromModel, catalogFromSchema, type TargetField, type TargetTable } from './target-catalog.js';
import { suggestSteps } from './transform-suggest.js';

export type SuggestTarget = { readonly model: TargetModel } | { readonly tables: readonly TableSchema[] };

export interface SuggestOptions {
  /** Suggestions below this confidence are written commented out (default 0.6). */
  readonly threshold?: number;
}

export const DEFAULT_THRESHOLD = 0.6;

/** A soft-delete flag: rows with it set are filtered out (`deleted = 0`). */
const SOFT_DELETE_COLUMNS = ['deleted', 'is_deleted', 'isdeleted'];

interface ObjectDraft {
  readonly name: string;
  readonly match: ObjectMatch;
  readonly sides: readonly SideTable[];
  readonly columns: readonly SourceColumn[];
  readonly key: { readonly generateKey: 'none' | 'uuid'; readonly field?: FieldSuggestion };
  readonly fields: Map<string, FieldSuggestion>;
  readonly used: Set<string>;
}

/**
 * Drafts a mapping from a source analysis to a target (the built-in model or an existing
 * database's tables): objects by CRM vocabulary, fields by name, vocabulary and values,
 * references from the inferred relationships (foreign keys → `ref`, polymorphic pairs →
 * per-type refs with `when`, join tables → link objects or lookups, the e-mail relation table →
 * lookups), picklists with a value map of every source value. Pure: the caller reads the
 * analysis and writes the file (render-suggestion.ts).
 */
export function suggestMapping(analysis: Analysis, target: SuggestTarget, options: SuggestOptions = {}): SuggestReport {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const catalog = 'model' in target ? catalogFromModel(target.model) : catalogFromSchema(target.tables);
  const layout = sourceLayout(analysis);
  const special = new Set([...layout.sideTables.map((s) => s.table), ...layout.joinTables.map((j) => j.table)]);

  // A declared self-reference (parent_id) says more than inferred ones (commercial_partner_id).
  const selfReferences = (table: string) => {
    const own = analysis.relationships.filter((r) => r.from.table === table && r.to.table === table && r.from.columns.length === 1);
    const declared = own.filter((r) => r.kind === 'declared');
    return (declared.length > 0 ? declared : own).map((r) => r.from.columns[0]);
  };
  const matches = layout.tables
    .filter((t) => !special.has(t.name))
    .flatMap((t) => splitParties(t, catalog, selfReferences(t.name)) ?? matchObject(t, catalog) ?? [])
    .sort((a, b) => b.confidence - a.confidence);
  const names = new Set<string>();
  const drafts = matches.map((match) => {
    const name = names.has(match.target.name) ? match.source.name : match.target.name;
    names.add(name);
    return draftObject(name, match, layout.sideTables, analysis);
  });
  // A table split in two (companies and people) is referenced as its first object, the companies.
  const byTable = new Map<string, ObjectDraft>();
  for (const d of drafts) if (!byTable.has(d.match.source.name)) byTable.set(d.match.source.name, d);

  // Polymorphic parents first: a type+id pair says more than a contact_id column that repeats one of them.
  for (const draft of drafts) addPartyFields(draft, byTable, threshold);
  for (const draft of drafts) addPolymorphicRefs(draft, analysis, drafts, threshold);
  for (const draft of drafts) assignColumns(draft, analysis, byTable, threshold);
  const links = layout.joinTables.flatMap((join) => linkObject(join, analysis, catalog, byTable, drafts, threshold) ?? []);
  for (const join of layout.joinTables) addJoinLookups(join, analysis, byTable, threshold);
  for (const join of layout.joinTables) addEmailLookups(join, analysis, byTable, threshold);

  // In the target's order (the model lists parents first), so the file reads top-down.
  const rank = (table: string) => catalog.findIndex((t) => t.name === table);
  const objects = [...drafts.map(toSuggestion), ...links].sort((a, b) => rank(a.target.table) - rank(b.target.table));
  return {
    objects,
    unmappedRequired: objects.flatMap((o) => {
      const table = catalog.find((t) => t.name === o.target.table)!;
      const mapped = new Set(o.fields.filter((f) => f.accepted).map((f) => f.target));
      return table.fields
        .filter((f) => f.required && !mapped.has(f.name) && !(o.target.generateKey === 'uuid' && table.key.includes(f.name)))
        .map((f) => ({ object: o.name, table: table.name, field: f.name }));
    }),
    // Per source table: a table split into two objects is read by both (and by their filter).
    unmappedSource: [...byTable.values()].flatMap((first) => {
      const readers = drafts.filter((d) => d.match.source.name === first.match.source.name);
      const read = new Set([
        ...keyColumns(first.match.source),
        ...readers.flatMap((d) => (d.match.filterColumn ? [d.match.filterColumn] : [])),
        ...readers.flatMap((d) =>
          objects
            .find((o) => o.name === d.name)!
            .fields.filter((f) => f.accepted)
            .flatMap((f) => readColumns(f.spec)),
        ),
      ]);
      return first.columns.filter((c) => !read.has(c.name) && !isHousekeeping(c.name)).map((c) => ({ table: c.table, column: c.name }));
    }),
    // Side tables are read through their base object; a join table only when it became a link object or lookups.
    unmappedTables: layout.tables
      .map((t) => t.name)
      .filter(
        (t) =>
          !byTable.has(t) &&
          !layout.sideTables.some((s) => s.table === t) &&
          !objects.some((o) => o.source.table === t) &&
          !objects.some((o) => o.fields.some((f) => f.spec.lookup?.table === t || f.spec.lookup?.through?.table === t)),
      ),
  };
}

/** The source columns a field reads: its `from` and the columns of its `when`. */
function readColumns(spec: FieldSpec): string[] {
  const from = spec.from === undefined ? [] : typeof spec.from === 'string' ? [spec.from] : spec.from;
  const when = spec.ref && typeof spec.ref !== 'string' ? Object.keys(spec.ref.when ?? {}) : [];
  return [...from, ...when];
}

const isHousekeeping = (column: string): boolean =>
  SOFT_DELETE_COLUMNS.includes(column.toLowerCase()) || HOUSEKEEPING_COLUMNS.has(column.toLowerCase());

/**
 * The key of a source table: its primary key, or for a file (no declared key) the column the
 * analysis found unique and never NULL, preferring one named like an id ("Id", "Record ID").
 */
function keyColumns(table: TableProfile): string[] {
  if (table.primaryKey.length > 0) return [...table.primaryKey];
  const candidates = table.columns.filter((c) => c.candidateKey);
  const named = candidates.find((c) => /(^|[^a-z])id$/i.test(c.name)) ?? candidates[0];
  return named ? [named.name] : [];
}

const keyOf = (table: TableProfile): string | string[] => {
  const key = keyColumns(table);
  return key.length === 1 ? key[0] : key;
};

function sourceColumns(table: TableProfile, except: readonly string[]): SourceColumn[] {
  return table.columns.filter((c) => !except.includes(c.name)).map((c) => ({ table: table.name, name: c.name, type: c.type, profile: c }));
}

function draftObject(name: string, match: ObjectMatch, sideTables: readonly SideTable[], analysis: Analysis): ObjectDraft {
  const source = match.source;
  const sides = sideTables.filter((s) => s.base === source.name);
  const columns = [
    ...sourceColumns(source, []),
    ...sides.flatMap((s) => sourceColumns(analysis.tables.find((t) => t.name === s.table)!, Object.keys(s.on))),
  ];
  const fields = new Map<string, FieldSuggestion>();
  const used = new Set<string>();
  const targetKey = match.target.key.length === 1 ? match.target.fields.find((f) => f.name === match.target.key[0]) : undefined;
  const key = keyColumns(source);
  const sourceKey = key.length === 1 ? source.columns.find((c) => c.name === key[0]) : undefined;
  for (const k of key) used.add(k);
  if (targetKey && sourceKey && keyFits(sourceKey, targetKey)) {
    const field = suggestion(targetKey.name, { from: sourceKey.name }, { confidence: 0.95, reason: 'the source key, copied' }, 0);
    fields.set(targetKey.name, field);
    return { name, match, sides, columns, key: { generateKey: 'none', field }, fields, used };
  }
  return { name, match, sides, columns, key: { generateKey: 'uuid' }, fields, used };
}

/** A source key can be copied when its values are of the target key's type (a uuid key needs every value a UUID). */
function keyFits(source: ColumnProfile, target: TargetField): boolean {
  const kind = source.inferredType?.kind ?? source.type.kind;
  if (target.type.kind === 'uuid') return kind === 'uuid';
  if (target.type.kind === 'text') return true;
  return kind === target.type.kind;
}

function suggestion(target: string, spec: FieldSpec, evidence: Evidence, threshold: number, notes?: readonly string[]): FieldSuggestion {
  return {
    target,
    spec,
    confidence: evidence.confidence,
    reason: evidence.reason,
    accepted: evidence.confidence >= threshold,
    ...(notes?.length ? { notes } : {}),
  };
}

/** The object a source column references (an inferred or declared foreign key), if any. */
function referencedObject(
  analysis: Analysis,
  column: SourceColumn,
  byTable: ReadonlyMap<string, ObjectDraft>,
): ObjectDraft | 'unknown' | undefined {
  const rel = analysis.relationships.find(
    (r) => r.from.table === column.table && r.from.columns.length === 1 && r.from.columns[0] === column.name,
  );
  if (!rel) return undefined;
  return byTable.get(rel.to.table) ?? 'unknown';
}

function assignColumns(draft: ObjectDraft, analysis: Analysis, byTable: ReadonlyMap<string, ObjectDraft>, threshold: number): void {
  const candidates: { column: SourceColumn; field: TargetField; evidence: Evidence }[] = [];
  for (const column of draft.columns) {
    if (draft.used.has(column.name) || SOFT_DELETE_COLUMNS.includes(column.name.toLowerCase())) continue;
    const referenced = referencedObject(analysis, column, byTable);
    for (const field of draft.match.target.fields) {
      if (draft.fields.has(field.name)) continue;
      // A known reference goes only to a reference field for the object it points at. A column
      // with no inferred reference (a file has no keys to infer from) may still be one by name.
      if (referenced === 'unknown' || (referenced !== undefined && referenced.match.target.name !== field.references)) continue;
      const evidence = scoreField(column, field);
      if (!evidence || (field.references && referenced === undefined && evidence.confidence < 0.85)) continue;
      candidates.push({ column, field, evidence });
    }
  }
  candidates.sort((a, b) => b.evidence.confidence - a.evidence.confidence);
  const taken = new Map<string, SourceColumn[]>();
  for (const { column, field, evidence } of candidates) {
    if (draft.used.has(column.name)) continue;
    const already = taken.get(field.name);
    // A list field (more phones, more e-mails) takes every column that fits it; any other field takes one.
    if (already && !(field.type.kind === 'multiselect' && evidence.confidence >= threshold && already.length > 0)) continue;
    draft.used.add(column.name);
    const columns = [...(already ?? []), column];
    taken.set(field.name, columns);
    const previous = draft.fields.get(field.name);
    const combined = previous
      ? { confidence: Math.min(previous.confidence, evidence.confidence), reason: `${previous.reason}; ${evidence.reason}` }
      : evidence;
    draft.fields.set(field.name, fieldFor(field, columns, combined, threshold, byTable));
  }
}

function fieldFor(
  field: TargetField,
  columns: readonly SourceColumn[],
  evidence: Evidence,
  threshold: number,
  byTable: ReadonlyMap<string, ObjectDraft>,
): FieldSuggestion {
  const [first] = columns;
  if (columns.length > 1) {
    return suggestion(
      field.name,
      { from: columns.map((c) => c.name), transform: [{ concat: { separator: '\n' } }, { split: { separator: '\n' } }] },
      evidence,
      threshold,
    );
  }
  const steps = suggestSteps(first, field);
  if (field.references) {
    const object = [...byTable.values()].find((d) => d.match.target.name === field.references);
    if (!object)
      return suggestion(
        field.name,
        { from: first.name },
        { ...evidence, confidence: Math.min(evidence.confidence, 0.5), reason: `${evidence.reason}; no object loads ${field.references}` },
        threshold,
      );
    return suggestion(
      field.name,
      { from: first.name, ...(steps.length ? { transform: [...steps] } : {}), ref: object.name },
      evidence,
      threshold,
    );
  }
  if (field.type.kind === 'enum' && first.profile?.topValues) return picklistField(field, first, evidence, threshold, field.type.values);
  return suggestion(field.name, steps.length > 0 ? { from: first.name, transform: [...steps] } : { from: first.name }, evidence, threshold);
}

function picklistField(
  field: TargetField,
  column: SourceColumn,
  evidence: Evidence,
  threshold: number,
  targetValues: readonly string[],
): FieldSuggestion {
  const picklist = suggestPicklist(column.profile?.topValues ?? [], targetValues);
  const map = Object.fromEntries(picklist.values.filter((v) => v.target !== undefined).map((v) => [v.source, v.target!]));
  const notes = picklist.values
    .filter((v) => v.confidence < 0.6)
    .map((v) =>
      v.target === undefined
        ? `TODO "${v.source}" (${v.count} rows): ${v.reason}; unmapped values reject`
        : `check "${v.source}" → ${v.target} (${v.count} rows): ${v.reason}`,
    );
  // picklist trims, but '' would be an unmapped value: blank means "no value" here.
  const blanks = (column.profile?.emptyCount ?? 0) > 0;
  const steps = [
    ...(blanks ? ['blank_to_null'] : []),
    { picklist: { map, ...(picklist.caseInsensitive ? { case_insensitive: true } : {}) } },
  ];
  const mapped = picklist.values.filter((v) => v.target !== undefined).length;
  return suggestion(
    field.name,
    { from: column.name, transform: steps },
    { ...evidence, reason: `${evidence.reason}; ${mapped} of ${picklist.values.length} values mapped` },
    threshold,
    notes,
  );
}

/**
 * The person half of a split table: their company is the row their self-reference points at,
 * and their one `name` column is split into first and last name.
 */
function addPartyFields(draft: ObjectDraft, byTable: ReadonlyMap<string, ObjectDraft>, threshold: number): void {
  const company = byTable.get(draft.match.source.name);
  if (!draft.match.filter || !company || company === draft) return;
  const column = draft.match.partyParent;
  const field = draft.match.target.fields.find((f) => f.references === company.match.target.name && !draft.fields.has(f.name));
  if (column && field) {
    const evidence = { confidence: 0.8, reason: `a person's ${column} is their company (${draft.match.reason})` };
    draft.fields.set(field.name, suggestion(field.name, { from: column, ref: company.name }, evidence, threshold));
    draft.used.add(column);
  }
  const name = draft.match.source.columns.find((c) => c.name.toLowerCase() === 'name');
  if (!name) return;
  for (const part of ['first', 'last'] as const) {
    const target = draft.match.target.fields.find((f) => f.kind === `${part}_name` && !draft.fields.has(f.name));
    if (!target) continue;
    const evidence = { confidence: 0.75, reason: `the ${part} name in a person's full ${name.name}` };
    draft.fields.set(target.name, suggestion(target.name, { from: name.name, transform: ['trim', { name: part }] }, evidence, threshold));
    draft.used.add(name.name);
  }
}

/** parent_type + parent_id → one reference per parent type, each with `when`. */
function addPolymorphicRefs(draft: ObjectDraft, analysis: Analysis, drafts: readonly ObjectDraft[], threshold: number): void {
  for (const link of analysis.polymorphic.filter((p) => p.table === draft.match.source.name)) {
    for (const t of link.targets) {
      // A parent table split in two (companies and people) is a parent in each: the id is found
      // in one of them, so a miss in the other is NULL, not a reject.
      const parents = drafts.filter((d) => d.match.source.name === t.table);
      for (const parent of parents) {
        const field = draft.match.target.fields.find((f) => f.references === parent.match.target.name && !draft.fields.has(f.name));
        if (!field) continue;
        const evidence = {
          confidence: Math.min(0.9, link.confidence),
          reason: `polymorphic parent: ${link.typeColumn} = ${t.typeValue} → ${t.table}${parents.length > 1 ? ` (${parent.match.filter})` : ''}`,
        };
        const ref = { object: parent.name, when: { [link.typeColumn]: t.typeValue }, ...(parents.length > 1 ? { onMissing: 'null' } : {}) };
        draft.fields.set(field.name, suggestion(field.name, { from: link.idColumn, ref } as FieldSpec, evidence, threshold));
        draft.used.add(link.idColumn).add(link.typeColumn);
      }
    }
  }
}

const softDelete = (table: TableProfile | undefined): Record<string, number> =>
  table?.columns.some((c) => SOFT_DELETE_COLUMNS.includes(c.name.toLowerCase()))
    ? { [table.columns.find((c) => SOFT_DELETE_COLUMNS.includes(c.name.toLowerCase()))!.name]: 0 }
    : {};

const profileOf = (analysis: Analysis, table: string) => analysis.tables.find((t) => t.name === table);

/** A join table whose two sides are loaded objects, to a target table with a reference to each: a link object. */
function linkObject(
  join: JoinTable,
  analysis: Analysis,
  catalog: readonly TargetTable[],
  byTable: ReadonlyMap<string, ObjectDraft>,
  drafts: readonly ObjectDraft[],
  threshold: number,
): ObjectSuggestion | undefined {
  if (join.sides.some((s) => s.typeColumn !== undefined || s.tables.length !== 1)) return undefined;
  const sides = join.sides.map((s) => ({ column: s.column, object: byTable.get(s.tables[0]) }));
  if (sides.some((s) => !s.object)) return undefined;
  const used = new Set(drafts.map((d) => d.match.target.name));
  // A link target requires both references: an entity with optional parents (a note on a person
  // or a deal) would turn every link into an empty note.
  const target = catalog.find(
    (t) => !used.has(t.name) && sides.every((s) => t.fields.some((f) => f.required && f.references === s.object!.match.target.name)),
  );
  const table = profileOf(analysis, join.table);
  if (!target || !table) return undefined;
  const fields: FieldSuggestion[] = [];
  // A link file has no id column of its own: the pair of references is its key.
  const ownKey = keyColumns(table);
  const joinKey = ownKey.length > 0 ? ownKey : join.sides.map((s) => s.column);
  const key = joinKey.length === 1 ? table.columns.find((c) => c.name === joinKey[0]) : undefined;
  const targetKey = target.fields.find((f) => f.name === target.key[0]);
  const copyKey = key !== undefined && targetKey !== undefined && target.key.length === 1 && keyFits(key, targetKey);
  if (copyKey)
    fields.push(suggestion(targetKey.name, { from: key.name }, { confidence: 0.95, reason: 'the source key, copied' }, threshold));
  for (const side of sides) {
    const field = target.fields.find((f) => f.references === side.object!.match.target.name && !fields.some((x) => x.target === f.name))!;
    fields.push(
      suggestion(
        field.name,
        { from: side.column, ref: side.object!.name, required: true },
        { confidence: join.confidence >= 0.8 ? 0.9 : 0.7, reason: `join table side ${side.column} → ${side.object!.match.source.name}` },
        threshold,
      ),
    );
  }
  for (const column of sourceColumns(table, [...joinKey, ...join.sides.map((s) => s.column)])) {
    if (SOFT_DELETE_COLUMNS.includes(column.name)) continue;
    const best = target.fields
      .filter((f) => !f.references && !fields.some((x) => x.target === f.name))
      .map((f) => ({ f, e: scoreField(column, f) }))
      .filter((x) => x.e !== undefined)
      .sort((a, b) => b.e!.confidence - a.e!.confidence)[0];
    if (best) fields.push(fieldFor(best.f, [column], best.e!, threshold, byTable));
  }
  return {
    name: target.name,
    source: { table: join.table, key: joinKey.length === 1 ? joinKey[0] : joinKey, ...filterOf(table) },
    target: { table: target.name, key: target.key.length === 1 ? target.key[0] : [...target.key], generateKey: copyKey ? 'none' : 'uuid' },
    confidence: join.confidence,
    reason: `join table of ${sides.map((s) => s.object!.match.source.name).join(' and ')}: ${join.reason}`,
    fields,
  };
}

/** The soft-delete filter of a table, and the object's own filter when it takes only some rows. */
function filterOf(table: TableProfile, own?: string): { filter?: string } {
  const flag = Object.keys(softDelete(table))[0];
  const filters = [...(own ? [own] : []), ...(flag ? [`${flag} = 0`] : [])];
  return filters.length > 0 ? { filter: filters.join(' AND ') } : {};
}

/**
 * A join table gives each side's object a lookup for a still-unmapped reference to the other
 * side (the first live link). A link to a missing row leaves NULL: the row itself is still live,
 * and the dangling link is reported where the link table is loaded.
 */
function addJoinLookups(join: JoinTable, analysis: Analysis, byTable: ReadonlyMap<string, ObjectDraft>, threshold: number): void {
  if (join.sides.some((s) => s.typeColumn !== undefined || s.tables.length !== 1)) return;
  const table = profileOf(analysis, join.table);
  const modified = table?.columns.find((c) => /^(date_modified|updated_at|modified_at|lastmodifieddate)$/i.test(c.name));
  for (const [self, other] of [join.sides, [join.sides[1], join.sides[0]]] as const) {
    const draft = byTable.get(self.tables[0]);
    const otherObject = byTable.get(other.tables[0]);
    if (!draft || !otherObject) continue;
    const field = draft.match.target.fields.find(
      (f) => f.references === otherObject.match.target.name && !draft.fields.has(f.name) && f.name !== draft.match.target.key[0],
    );
    if (!field || field.references === draft.match.target.name) continue;
    const lookup: LookupSpec = {
      table: join.table,
      match: self.column,
      ...(Object.keys(softDelete(table)).length ? { where: softDelete(table) } : {}),
      value: other.column,
      ...(modified ? { orderBy: `-${modified.name}` } : {}),
      pick: 'first',
    };
    draft.fields.set(
      field.name,
      suggestion(
        field.name,
        { lookup, ref: { object: otherObject.name, onMissing: 'null' } },
        { confidence: 0.7, reason: `the first link in join table ${join.table}` },
        threshold,
      ),
    );
  }
}

/** A relation table between any bean and an e-mail address table: primary e-mail and the others as lookups. */
function addEmailLookups(join: JoinTable, analysis: Analysis, byTable: ReadonlyMap<string, ObjectDraft>, threshold: number): void {
  const poly = join.sides.find((s) => s.typeColumn !== undefined);
  const plain = join.sides.find((s) => s.typeColumn === undefined && s.tables.length === 1);
  if (!poly || !plain) return;
  const addresses = profileOf(analysis, plain.tables[0]);
  const value = addresses?.columns.find((c) => (c.patterns.find((p) => p.name === 'email')?.share ?? 0) >= 0.5);
  const rel = profileOf(analysis, join.table);
  const link = analysis.polymorphic.find((p) => p.table === join.table && p.typeColumn === poly.typeColumn);
  if (!addresses || !value || !rel || !link) return;
  const primaryFlag = rel.columns.find((c) => /primary/i.test(c.name));
  const addressKey = addresses.primaryKey[0] ?? 'id';
  for (const t of link.targets) {
    const draft = byTable.get(t.table);
    if (!draft) continue;
    const lookup = (pick: 'first' | 'rest'): LookupSpec => ({
      table: join.table,
      match: poly.column,
      where: { [poly.typeColumn!]: t.typeValue, ...softDelete(rel) },
      through: {
        table: addresses.name,
        match: addressKey,
        from: plain.column,
        ...(Object.keys(softDelete(addresses)).length ? { where: softDelete(addresses) } : {}),
      },
      value: value.name,
      ...(primaryFlag ? { orderBy: `-${primaryFlag.name}` } : {}),
      pick,
    });
    const emailField = draft.match.target.fields.find(
      (f) => (f.kind === 'email' || (!f.kind && f.keys.has('email'))) && !draft.fields.has(f.name),
    );
    const listField = draft.match.target.fields.find((f) => f.kind === 'email_list' && !draft.fields.has(f.name));
    const evidence = { confidence: 0.85, reason: `e-mail addresses linked through ${join.table} (${poly.typeColumn} = ${t.typeValue})` };
    if (emailField)
      draft.fields.set(
        emailField.name,
        suggestion(emailField.name, { lookup: lookup('first'), transform: ['email'] }, evidence, threshold),
      );
    if (listField) draft.fields.set(listField.name, suggestion(listField.name, { lookup: lookup('rest') }, evidence, threshold));
  }
}

function toSuggestion(draft: ObjectDraft): ObjectSuggestion {
  const source = draft.match.source;
  const target = draft.match.target;
  const fields = [
    ...(draft.key.field ? [draft.key.field] : []),
    ...target.fields.flatMap((f) => (f.name !== draft.key.field?.target && draft.fields.get(f.name)) || []),
  ];
  return {
    name: draft.name,
    source: {
      table: source.name,
      key: keyOf(source),
      ...filterOf(source, draft.match.filter),
      ...(draft.sides.length > 0 ? { join: draft.sides.map((s) => ({ table: s.table, on: { ...s.on } })) } : {}),
    },
    target: { table: target.name, key: target.key.length === 1 ? target.key[0] : [...target.key], generateKey: draft.key.generateKey },
    confidence: draft.match.confidence,
    reason: draft.match.reason,
    fields,
  };
}
