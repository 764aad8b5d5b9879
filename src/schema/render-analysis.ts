import Table from 'cli-table3';
import type { Analysis, ColumnProfile, Inclusion, TableProfile } from './analysis-types.js';

/** Borderless, uncoloured columns: the output goes to terminals, logs and CI alike. */
const PLAIN = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '  ',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
};

const PICKLIST_SHOWN = 6;
/** Longer picklist values (ids, sentences) say little in a summary; the JSON has them all. */
const PICKLIST_VALUE_LENGTH = 24;
const NOTES_WIDTH = 120;
/** Kinds whose min … max says something (a range); for ids and free text it is noise. */
const RANGE_KINDS: ReadonlySet<string> = new Set(['integer', 'bigint', 'decimal', 'float', 'date', 'time', 'timestamp', 'timestamptz']);
const PHONE_FORMATS_SHOWN = 3;
/** Duplicates are worth a note only in mostly-unique columns (names, emails), not in cities. */
const NEARLY_UNIQUE = 0.9;

const n = (value: number) => value.toLocaleString('en-US');
const pct = (share: number) => `${(share * 100).toFixed(share === 1 || share === 0 ? 0 : 1)}%`;
const quote = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');
const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? '' : 's'}`;
const clip = (text: string) => (text.length > NOTES_WIDTH ? `${text.slice(0, NOTES_WIDTH - 1)}…` : text);

/**
 * A terminal summary of an analysis: each table with its row count and columns (type, NULLs vs
 * blanks, distinct values, and notes on keys, inferred types and dirt), then the relationships,
 * join tables and polymorphic links with their orphans. Estimates are marked with `~`.
 */
export function renderAnalysis(a: Analysis): string {
  const totalRows = a.tables.reduce((sum, t) => sum + t.rowCount, 0);
  const lines = [
    `Source: ${a.source.displayName} (${a.source.connector}): ${n(a.tables.length)} tables, ${n(totalRows)} rows`,
    ...(a.sampled
      ? [
          `Sampled: ${a.sampleRows === undefined ? 'large references probed on part of their values' : `first ${n(a.sampleRows)} rows per table`}; ~ marks estimates`,
        ]
      : []),
    '',
  ];
  for (const table of a.tables) lines.push(...renderTable(table), '');
  lines.push(...renderRelationships(a));
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderTable(table: TableProfile): string[] {
  const count = `${table.rowCountExact ? '' : '~'}${n(table.rowCount)} rows`;
  const sample = table.sampled ? `, profiled on the first ${n(table.rowsProfiled)}` : '';
  const key = table.primaryKey.length > 0 ? `key ${table.primaryKey.join(', ')}` : 'no declared key';
  const rejects = table.readRejects > 0 ? `, ${n(table.readRejects)} unreadable records` : '';
  const grid = new Table({ ...PLAIN, head: ['column', 'type', 'nulls', 'blanks', 'distinct', 'notes'] });
  for (const column of table.columns) {
    grid.push([
      column.name,
      typeText(column),
      n(column.nullCount),
      n(column.emptyCount),
      `${column.distinctExact ? '' : '~'}${n(column.distinctCount)}`,
      clip(columnNotes(column, table).join('; ')),
    ]);
  }
  const skipped = (table.unsupported ?? []).map((c) => `  ${c.name} (${c.nativeType}): type not supported, skipped (never suggested)`);
  return [`${table.name}: ${count}${sample}, ${key}${rejects}`, grid.toString(), ...skipped];
}

function typeText(column: ColumnProfile): string {
  const inferred = column.inferredType ? ` → ${column.inferredType.kind}${column.inferredFormat ? ` ${column.inferredFormat}` : ''}` : '';
  return `${column.nativeType}${inferred}`;
}

function columnNotes(column: ColumnProfile, table: TableProfile): string[] {
  const notes: string[] = [];
  const nonNull = table.rowsProfiled - column.nullCount;
  if (column.candidateKey) notes.push(table.primaryKey.includes(column.name) ? 'primary key' : 'unique');
  else if (column.duplicateValues > 0 && nonNull > 0 && column.distinctCount / nonNull >= NEARLY_UNIQUE) {
    notes.push(`${column.duplicatesExact ? '' : '~'}${plural(column.duplicateValues, 'duplicate value')}`);
  }
  if (column.emailDuplicates) notes.push(`${plural(column.emailDuplicates, 'duplicate e-mail')} ignoring case`);
  if (column.emptyCount > 0 && column.nullCount > 0) notes.push('both NULL and blank');
  if (column.untrimmedCount > 0) notes.push(`${n(column.untrimmedCount)} untrimmed`);
  if (column.nonConforming) {
    const { pattern, count, examples } = column.nonConforming;
    notes.push(`${n(count)} not ${pattern} (e.g. ${quote(examples.slice(0, 3))})`);
  }
  if (column.phoneFormats && column.phoneFormats.length > 1) {
    const shown = column.phoneFormats.slice(0, PHONE_FORMATS_SHOWN).map((f) => `${f.value} ×${n(f.count)}`);
    notes.push(
      `${column.phoneFormats.length} phone formats: ${shown.join(', ')}${column.phoneFormats.length > PHONE_FORMATS_SHOWN ? ', …' : ''}`,
    );
  }
  const kind = (column.inferredType ?? column.type).kind;
  if (column.topValues?.every((v) => v.value.length <= PICKLIST_VALUE_LENGTH)) {
    const shown = column.topValues.slice(0, PICKLIST_SHOWN).map((v) => `${JSON.stringify(v.value)} ${n(v.count)}`);
    const more = column.topValues.length - PICKLIST_SHOWN;
    notes.push(`values: ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`);
  } else if (column.min !== undefined && RANGE_KINDS.has(kind)) {
    notes.push(`${column.min} … ${column.max}`);
  }
  return notes;
}

function inclusionText(inclusion: Inclusion): string {
  if (inclusion.checkedRows === 0) return 'no values to check';
  const tilde = inclusion.sampled ? '~' : '';
  const orphans =
    inclusion.orphanRows === 0
      ? ''
      : `, ${tilde}${plural(inclusion.orphanRows, 'orphan')} (e.g. ${quote(inclusion.orphanExamples.slice(0, 3))})`;
  const blanks = inclusion.blankRows > 0 ? `, ${n(inclusion.blankRows)} blank` : '';
  return `${tilde}${pct(inclusion.share)} found${orphans}${blanks}`;
}

function renderRelationships(a: Analysis): string[] {
  const lines: string[] = [];
  if (a.relationships.length > 0) {
    lines.push('Relationships');
    const grid = new Table({ ...PLAIN });
    for (const r of a.relationships) {
      grid.push([
        `${r.from.table}.${r.from.columns.join(',')} → ${r.to.table}.${r.to.columns.join(',')}`,
        r.kind,
        r.confidence.toFixed(2),
        inclusionText(r.inclusion),
      ]);
    }
    lines.push(grid.toString(), '');
  }
  if (a.joinTables.length > 0) {
    lines.push('Join tables (many-to-many)');
    for (const j of a.joinTables) {
      const sides = j.sides.map((s) => `${s.typeColumn ? `${s.typeColumn}+` : ''}${s.column} → ${s.tables.join('|')}`).join(' ⇄ ');
      const extras = j.extraColumns.length > 0 ? `, with ${j.extraColumns.join(', ')}` : '';
      lines.push(`  ${j.table}: ${sides}${extras} (${j.confidence.toFixed(2)})`);
    }
    lines.push('');
  }
  if (a.nameLinks && a.nameLinks.length > 0) {
    lines.push('Links by name (a lookup matches on the name)');
    for (const l of a.nameLinks) {
      const repeats = l.unique
        ? 'unique'
        : `NOT UNIQUE: ${l.repeatedExact ? '' : '~'}${plural(l.repeatedRows, 'row')} repeating a name (links to it are ambiguous)`;
      lines.push(`  ${l.from.table}.${l.from.columns[0]} → ${l.to.table}.${l.to.columns[0]}: ${inclusionText(l.inclusion)}; ${repeats}`);
    }
    lines.push('');
  }
  if (a.polymorphic.length > 0) {
    lines.push('Polymorphic references');
    for (const p of a.polymorphic) {
      lines.push(`  ${p.table}.${p.typeColumn}+${p.idColumn} (${p.confidence.toFixed(2)})`);
      for (const t of p.targets) lines.push(`    ${JSON.stringify(t.typeValue)} → ${t.table}.${t.column}: ${inclusionText(t.inclusion)}`);
      if (p.unmatchedTypes.length > 0) {
        lines.push(`    no table for: ${p.unmatchedTypes.map((u) => `${JSON.stringify(u.value)} (${n(u.count)} rows)`).join(', ')}`);
      }
    }
  }
  return lines;
}
