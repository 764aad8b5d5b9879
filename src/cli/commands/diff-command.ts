import type { Command } from '@commander-js/extra-typings';
import type { Connector } from '../../connectors/contract.js';
import { openConnector } from '../../connectors/registry.js';
import { CrmError } from '../../core/errors/index.js';
import { DEFAULT_FACTOR, DEFAULT_THRESHOLD } from '../../engine/verify/hash-diff.js';
import { type ColumnPair, diffTables, type TableDiffResult } from '../../engine/verify/table-diff.js';
import { runAction } from '../run-action.js';

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'Compare a table of <a> with a table of <b> by key, with checksums computed in the databases (exit 0 equal, 1 differ, 2 could not run)',
    )
    .argument('<a>', 'connection string or file of side a')
    .argument('<b>', 'connection string or file of side b')
    .requiredOption('--table <a:b>', 'table of a, and of b when its name differs')
    .requiredOption('--key <cols>', 'key columns, comma-separated, each `a` or `a:b`')
    .option('--columns <cols>', 'compared columns, comma-separated, each `a` or `a:b` (default: the columns both have)')
    .option('--no-pushdown', 'read and hash every row here instead of in the databases')
    .option('--bisection-factor <n>', 'sub-segments per differing segment', String(DEFAULT_FACTOR))
    .option('--bisection-threshold <n>', 'rows at or below which a segment is compared row by row', String(DEFAULT_THRESHOLD))
    .option('--limit <n>', 'differences listed per kind (human output)', '20')
    .option('--json', 'print the result as JSON')
    .action(
      runAction(async (a, b, opts) => {
        const opened: Connector[] = [];
        try {
          opened.push(await openConnector(a));
          opened.push(await openConnector(b));
          const result = await diffTables({
            a: opened[0],
            b: opened[1],
            table: pairOf(opts.table),
            key: pairList(opts.key),
            ...(opts.columns ? { columns: pairList(opts.columns) } : {}),
            pushdown: opts.pushdown,
            factor: positive(opts.bisectionFactor, '--bisection-factor'),
            threshold: positive(opts.bisectionThreshold, '--bisection-threshold'),
          });
          process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderDiff(result, Number(opts.limit)));
          return result.equal ? 0 : 1;
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
