import type { Command } from '@commander-js/extra-typings';
import { stringify } from 'csv-stringify';
import { CrmError } from '../../core/errors/index.js';
import type { StoredReject } from '../../state/state-store.js';
import { privateWriteStream } from '../private-files.js';
import { openProjectState } from '../project-paths.js';
import { runAction } from '../run-action.js';

const COLUMNS = ['object', 'sourceKey', 'field', 'rawValue', 'reason', 'code', 'message', 'file', 'line', 'record'] as const;

export function registerRejects(program: Command): void {
  program
    .command('rejects')
    .description('List the rows a run rejected, or export them with their original records')
    .argument('[run]', 'run id (default: the latest run)')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--object <name>', 'only this object')
    .option('--reason <reason>', 'only this reason (e.g. invalid_email, missing_parent)')
    .option('--export <file>', 'write all matching rejects to a .csv or .ndjson file')
    .option(
      '--raw',
      "CSV export: write cells as they are (by default a cell starting with = + - @ is prefixed with ' against formula injection)",
    )
    .option('--limit <n>', 'rows to list', '50')
    .action(
      runAction(async (runArg, opts) => {
        const state = await openProjectState(opts.project);
        try {
          const latest = runArg ? undefined : (await state.listRuns(1))[0];
          const runId = runArg ?? latest?.id;
          if (!runId) throw new CrmError('CRM_E6003', 'no runs yet');
          // The latest run may be a sync or a repair with no rejects: say which run this is.
          if (latest) {
            process.stderr.write(`rejects of run ${latest.id} (${latest.kind}), the latest; \`crmbridge runs\` lists the others\n`);
          }
          const filter = { ...(opts.object ? { object: opts.object } : {}), ...(opts.reason ? { reason: opts.reason } : {}) };
          if (opts.export) {
            const count = await exportRejects(
              opts.export,
              (offset) => state.listRejects(runId, { ...filter, limit: 5000, offset }),
              opts.raw ?? false,
            );
            process.stdout.write(`Exported ${count} rejects of run ${runId} to ${opts.export}\n`);
            return 0;
          }
          const counts = await state.countRejects(runId);
          for (const c of counts) process.stdout.write(`${c.object}\t${c.reason}\t${c.count}\n`);
          for (const r of await state.listRejects(runId, { ...filter, limit: Number(opts.limit) })) {
            const where = r.file ? ` ${r.file}:${r.line ?? ''}` : '';
            process.stdout.write(
              `${r.object} ${r.sourceKey}${where} ${r.field ?? ''} ${r.reason} [${r.code}] ${r.message}${r.rawValue !== undefined ? ` (value: ${r.rawValue})` : ''}\n`,
            );
          }
          return 0;
        } finally {
          await state.close();
        }
      }),
    );
}

/**
 * Rejected values are hostile input, and a spreadsheet runs a cell that starts with `=`, `+`, `-`
 * or `@` (or a tab or carriage return before one) as a formula: such cells get a leading `'`,
 * which spreadsheets show as text (OWASP "CSV injection"). `--raw` writes them as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function formulaSafe(cell: unknown): unknown {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Streams rejects page by page to CSV or NDJSON (by extension), with the original record. */
async function exportRejects(path: string, page: (offset: number) => Promise<StoredReject[]>, raw: boolean): Promise<number> {
  const out = privateWriteStream(path);
  const csv = path.endsWith('.csv') ? stringify({ header: true, columns: [...COLUMNS] }) : undefined;
  csv?.pipe(out);
  let count = 0;
  for (let offset = 0; ; offset += 5000) {
    const rows = await page(offset);
    if (rows.length === 0) break;
    for (const r of rows) {
      const record = Object.fromEntries(COLUMNS.map((c) => [c, r[c] ?? null]));
      if (csv) csv.write(raw ? record : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, formulaSafe(v)])));
      else out.write(`${JSON.stringify({ ...record, record: r.record ? JSON.parse(r.record) : null })}\n`);
      count++;
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.on('finish', resolve).on('error', reject);
    if (csv) csv.end();
    else out.end();
  });
  return count;
}
