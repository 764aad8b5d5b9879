import type { Command } from '@commander-js/extra-typings';
import type { Connector } from '../../connectors/contract.js';
import { openConnector } from '../../connectors/registry.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType } from '../../core/types.js';
import { type DatabaseDiffResult, diffDatabases, type TablePairDiff } from '../../engine/verify/database-diff.js';
import { DEFAULT_FACTOR, DEFAULT_THRESHOLD } from '../../engine/verify/hash-diff.js';
import type { ColumnSummary } from '../../engine/verify/schema-diff.js';
import type { ColumnPair, TableDiffResult } from '../../engine/verify/table-diff.js';
import { runAction } from '../run-action.js';

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'Everything that differs between <a> and <b>: tables on one side only, added, removed and renamed columns, type changes, then the rows by key, with checksums computed in the databases (exit 0 identical, 1 differ, 2 could not run or compare every table)',
    )
    .argument('<a>', 'connection string or file of side a')
    .argument('<b>', 'connection string or file of side b')
    .option('--table <a:b>', 'only this table of a, and of b when its name differs (default: every table, paired by name)')
    .option('--key <cols>', "key columns of --table, comma-separated, each `a` or `a:b` (default: a's primary key)")
    .option('--columns <cols>', 'compared columns of --table, comma-separated, each `a` or `a:b` (default: the columns both have)')
    .option('--no-pushdown', 'read and hash every row here instead of in the databases')
    .option('--bisection-factor <n>', 'sub-segments per differing segment', String(DEFAULT_FACTOR))
    .option('--bisection-threshold <n>', 'rows at or below which a segment is compared row by row', String(DEFAULT_THRESHOLD))
    .option('--limit <n>', 'differences listed per kind (human output)', '20')
    .option('--json', 'print the result as JSON')
    .action(
      runAction(async (a, b, opts) => {
        if (!opts.table && (opts.key || opts.columns)) throw new CrmError('CRM_C1003', '--key and --columns need --table');
        const opened: Connector[] = [];
        try {
          opened.push(await openConnector(a));
          opened.push(await openConnector(b));
          const result = await diffDatabases({
            a: opened[0],
            b: opened[1],
            ...(opts.table ? { table: pairOf(opts.table) } : {}),
            ...(opts.key ? { key: pairList(opts.key) } : {}),
            ...(opts.columns ? { columns: pairList(opts.columns) } : {}),
            pushdown: opts.pushdown,
            factor: positive(opts.bisectionFactor, '--bisection-factor'),
            threshold: positive(opts.bisectionThreshold, '--bisection-threshold'),
          });
          process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderDatabaseDiff(result, Number(opts.limit)));
          return result.equal ? (result.complete ? 0 : 2) : 1;
        } finally {
          await Promise.all(opened.map((c) => c.close()));
        }
      }),
    );
}

/** `name` or `a:b` (a rename). */
export function pairOf(text: string): ColumnPair {
  const [a, b = a, extra] = text.split(':').map((s) => s.trim());
  if (!a || !b || extra !== undefined) throw new CrmError('CRM_C1003', `"${text}" is not \`name\` or \`a:b\``);
  return { a, b };
}

export function pairList(text: string): ColumnPair[] {
  return text.split(',').map(pairOf);
}

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2) throw new CrmError('CRM_C1003', `${option} must be an integer of at least 2`);
  return n;
}

function renderDiff(r: TableDiffResult, limit: number): string {
  const lines: string[] = [];
  const name = r.table.a === r.table.b ? r.table.a : `${r.table.a} ↔ ${r.table.b}`;
  const key = (k: readonly string[]) => k.join(', ');
  lines.push(
    `${name}: ${r.equal ? 'equal' : 'DIFFERENT'} — ${r.onlyInA.length} only in a, ${r.onlyInB.length} only in b, ${r.changed.length} changed ` +
      `(${r.stats.segments} segments checked, ${r.stats.rowsCompared} rows compared; hashing ${r.pushdown.a ? 'in a' : 'here'} / ${r.pushdown.b ? 'in b' : 'here'}; ${r.seconds.toFixed(1)} s)`,
  );
  for (const row of r.onlyInA.slice(0, limit)) lines.push(`  - only in a: ${key(row.key)}`);
  for (const row of r.onlyInB.slice(0, limit)) lines.push(`  + only in b: ${key(row.key)}`);
  for (const c of r.changed.slice(0, limit)) {
    for (const f of c.fields) {
      const column = f.column.a === f.column.b ? f.column.a : `${f.column.a}/${f.column.b}`;
      lines.push(`  ~ ${key(c.key)} ${column}: ${JSON.stringify(f.a)} → ${JSON.stringify(f.b)}`);
    }
  }
  const unreadable = r.unreadable.a.length + r.unreadable.b.length;
  if (unreadable > 0) lines.push(`  ! ${unreadable} records could not be read and were not compared`);
  const hidden = Math.max(0, r.onlyInA.length - limit) + Math.max(0, r.onlyInB.length - limit) + Math.max(0, r.changed.length - limit);
  if (hidden > 0) lines.push(`  … ${hidden} more (use --json for all)`);
  return `${lines.join('\n')}\n`;
}

function renderDatabaseDiff(r: DatabaseDiffResult, limit: number): string {
  const lines: string[] = [];
  for (const t of r.tablesOnlyInA) lines.push(`- table only in a: ${t}`);
  for (const t of r.tablesOnlyInB) lines.push(`+ table only in b: ${t}`);
  for (const pair of r.tables) {
    lines.push(...renderSchema(pair));
    if (pair.rows) lines.push(renderDiff(pair.rows, limit).trimEnd());
    else lines.push(`${pairName(pair.table)}: rows not compared — ${pair.rowsNotCompared ?? ''}`);
  }
  const verdict = r.equal ? (r.complete ? 'identical' : 'no difference found, but not every table could be compared') : 'DIFFERENT';
  lines.push(
    `${verdict} (${r.tables.length} table pairs, ${r.tablesOnlyInA.length + r.tablesOnlyInB.length} tables on one side only; ${r.seconds.toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}

const pairName = (p: ColumnPair) => (p.a === p.b ? p.a : `${p.a} ↔ ${p.b}`);
/** `decimal(10,2) (numeric(10,2))`: the canonical type with its size, then the native type. */
const typeText = (c: ColumnSummary) => `${canonicalText(c.type)}${c.nativeType ? ` (${c.nativeType})` : ''}`;

function canonicalText(t: CanonicalType): string {
  if (t.kind === 'decimal' && t.precision !== undefined) return `decimal(${t.precision},${t.scale ?? 0})`;
  if ((t.kind === 'text' || t.kind === 'binary') && t.length !== undefined) return `${t.kind}(${t.length})`;
  return t.kind;
}

function renderSchema(pair: TablePairDiff): string[] {
  const s = pair.schema;
  if (s.equal) return [];
  const name = pairName(pair.table);
  return [
    `${name}: columns DIFFERENT`,
    ...s.columnsOnlyInA.map((c) => `  - column only in a: ${c.name} ${typeText(c)}`),
    ...s.columnsOnlyInB.map((c) => `  + column only in b: ${c.name} ${typeText(c)}`),
    ...s.renamed.map((g) => `  ? renamed ${g.a} → ${g.b} (${g.reason})`),
    ...s.typeChanged.map((t) => `  ~ type of ${pairName(t.column)}: ${typeText(t.a)} → ${typeText(t.b)}`),
  ];
}
