import type { MigrateResult, ObjectResult } from '../../engine/migrate/migrate.js';

/** One reason an object's rows were rejected for, with its first few rows (the state store keeps them all). */
export interface RejectGroup {
  readonly object: string;
  readonly reason: string;
  readonly count: number;
  readonly examples: readonly { key: string; field?: string; value?: string; message: string }[];
}

/** Every text that reaches the page goes through here: source values can hold markup (`<script>…`). */
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Counts grouped by thousands with one fixed separator, so a report reads the same whatever the machine's locale. */
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format;

/** Sub-second times in milliseconds: "0.0 s" beside a rate of thousands of rows/s reads as a contradiction. */
const duration = (seconds: number) => (seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`);

const num = (text: string) => `<td class="num">${text}</td>`;

function ledgerRow(o: ObjectResult): string {
  const l = o.ledger;
  const rate = o.seconds > 0 ? grouped(l.read / o.seconds) : '–';
  return [
    `<tr><td>${escapeHtml(o.object)}</td><td class="${o.status}">${o.status}</td>`,
    ...[l.read, l.created, l.updated, l.unchanged, l.rejected].map((n) => num(grouped(n))),
    // Collapsed duplicates are part of `filtered`: shown beside it, not added again.
    num(l.duplicates ? `${grouped(l.filtered)} (${grouped(l.duplicates)} duplicates)` : grouped(l.filtered)),
    `<td class="${o.balanced ? 'ok' : 'failed'}">${o.balanced ? 'yes' : 'NO'}</td>`,
    num(o.status === 'skipped' ? '–' : duration(o.seconds)),
    num(rate),
    '</tr>',
  ].join('');
}

function rejectRow(runId: string, r: RejectGroup): string {
  const examples = r.examples
    .map(
      (e) =>
        `<li><code>${escapeHtml(e.key)}</code> ${e.field ? `<b>${escapeHtml(e.field)}</b> ` : ''}` +
        `${e.value !== undefined ? `<q>${escapeHtml(e.value)}</q> ` : ''}<span class="msg">${escapeHtml(e.message)}</span></li>`,
    )
    .join('');
  const more =
    r.count > r.examples.length
      ? `<p class="more">${grouped(r.count - r.examples.length)} more: <code>crmbridge rejects ${escapeHtml(runId)} --object ${escapeHtml(r.object)} --reason ${escapeHtml(r.reason)}</code></p>`
      : '';
  return `<tr><td>${escapeHtml(r.object)}</td><td>${escapeHtml(r.reason)}</td>${num(grouped(r.count))}<td><ul>${examples}</ul>${more}</td></tr>`;
}

/** What a run that did not complete asks of its reader, as the CLI says it at the end of the run. */
/** What a run that did not complete cleanly asks next (HTML). */
const RESUME = 'Fix, then <code>crmbridge migrate --resume</code>.';
const NEXT_STEP: Partial<Record<MigrateResult['status'], string>> = {
  stopped: `Stopped at the error threshold (--max-errors, --max-error-ratio); the checkpoints are kept. ${RESUME}`,
  incomplete: `Not every object loaded and balanced; see the status and balanced columns of the ledger. ${RESUME}`,
  failed: `The run failed; see the problems below. ${RESUME}`,
  completed_with_rejects:
    'Every row is accounted for, but the rejected ones are not in the target: see the rejects, fix the mapping, then run <code>crmbridge migrate --retry-rejects</code>.',
};

/** Why an object did not load, and the references pass 2 left NULL in rows it did load: what a reader must act on. */
function problems(objects: readonly ObjectResult[]): string[] {
  return objects.flatMap((o) => [
    ...(o.error ? [`<li><b>${escapeHtml(o.object)}</b>: ${escapeHtml(o.error)}</li>`] : []),
    ...(o.unresolvedReferences > 0
      ? [
          `<li><b>${escapeHtml(o.object)}</b>: ${grouped(o.unresolvedReferences)} deferred reference(s) left NULL: the parent was rejected or is missing (see the rejects)</li>`,
        ]
      : []),
  ]);
}

/**
 * A self-contained HTML report of a run, readable from the file with no server: no scripts, no
 * external assets, so it renders the same with JavaScript off (test/integration/html-report-browser.test.ts
 * checks this in Chromium). Status and what to do next, the problems per object, the ledger per
 * object with its time and throughput, and the rejects by reason with examples. Numbers are
 * right-aligned with tabular digits so columns compare at a glance.
 */
export function htmlReport(result: MigrateResult, rejects: readonly RejectGroup[]): string {
  const heads = ['read', 'created', 'updated', 'unchanged', 'rejected', 'filtered'];
  const next = NEXT_STEP[result.status];
  const problemItems = problems(result.objects);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crmbridge run ${escapeHtml(result.runId)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.ok,.completed{color:#070}.failed,.incomplete,.stopped{color:#c00;font-weight:bold}
code{font-size:12px;overflow-wrap:anywhere}
ul{padding-left:1.2em}td ul{margin:0}li{margin:.15em 0}
.msg,.more{color:#555}.more{margin:.3em 0 0}
</style></head><body>
<h1>crmbridge ${result.dryRun ? 'dry run' : 'migration'} <code>${escapeHtml(result.runId)}</code></h1>
<p>Status: <span class="${result.status}">${result.status}</span> · ${duration(result.seconds)}</p>
${next ? `<p>${next}</p>\n` : ''}${
  problemItems.length > 0 ? `<h2 id="problems">Problems</h2>\n<ul>${problemItems.join('')}</ul>\n` : ''
}<h2 id="ledger">Ledger</h2>
<p>Every source row is accounted for: read = created + updated + unchanged + rejected + filtered.</p>
<table aria-labelledby="ledger"><thead><tr><th>object</th><th>status</th>${heads.map((h) => `<th class="num">${h}</th>`).join('')}<th>balanced</th><th class="num">time</th><th class="num">rows/s</th></tr></thead>
<tbody>
${result.objects.map(ledgerRow).join('\n')}
</tbody></table>
<h2 id="rejects">Rejects by reason</h2>
${
  rejects.length === 0
    ? '<p>None.</p>'
    : `<table aria-labelledby="rejects"><thead><tr><th>object</th><th>reason</th><th class="num">count</th><th>examples</th></tr></thead>
<tbody>
${rejects.map((r) => rejectRow(result.runId, r)).join('\n')}
</tbody></table>`
}
</body></html>
`;
}
