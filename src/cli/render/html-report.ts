import type { MigrateResult } from '../../engine/migrate/migrate.js';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A self-contained HTML report of a run (no server, no scripts, no external assets): status,
 * the ledger per object, rejects by reason with examples, timings and throughput.
 */
export function htmlReport(
  result: MigrateResult,
  rejects: readonly {
    object: string;
    reason: string;
    count: number;
    examples: readonly { key: string; field?: string; value?: string; message: string }[];
  }[],
): string {
  const rows = result.objects
    .map((o) => {
      const l = o.ledger;
      const rate = o.seconds > 0 ? Math.round(l.read / o.seconds) : 0;
      return `<tr><td>${escapeHtml(o.object)}</td><td class="${o.status}">${o.status}</td><td>${l.read}</td><td>${l.created}</td><td>${l.updated}</td><td>${l.unchanged}</td><td>${l.rejected}</td><td>${l.filtered}</td><td class="${o.balanced ? 'ok' : 'failed'}">${o.balanced ? 'yes' : 'NO'}</td><td>${o.seconds.toFixed(1)} s</td><td>${rate}</td></tr>`;
    })
    .join('\n');
  const rejectRows = rejects
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.object)}</td><td>${escapeHtml(r.reason)}</td><td>${r.count}</td><td>${r.examples
          .map(
            (e) =>
              `<div><code>${escapeHtml(e.key)}</code> ${e.field ? `<b>${escapeHtml(e.field)}</b> ` : ''}${e.value !== undefined ? `<q>${escapeHtml(e.value)}</q> ` : ''}${escapeHtml(e.message)}</div>`,
          )
          .join('')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crmbridge run ${escapeHtml(result.runId)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}td:first-child,th:first-child,td:nth-child(2){text-align:left}
.ok,.completed{color:#0a0}.failed,.incomplete,.stopped{color:#c00;font-weight:bold}code{font-size:12px}
</style></head><body>
<h1>crmbridge ${result.dryRun ? 'dry run' : 'migration'} <code>${escapeHtml(result.runId)}</code></h1>
<p>Status: <span class="${result.status}">${result.status}</span> · ${result.seconds.toFixed(1)} s</p>
<h2>Ledger</h2>
<p>Every source row is accounted for: read = created + updated + unchanged + rejected + filtered.</p>
<table><tr><th>object</th><th>status</th><th>read</th><th>created</th><th>updated</th><th>unchanged</th><th>rejected</th><th>filtered</th><th>balanced</th><th>time</th><th>rows/s</th></tr>
${rows}
</table>
<h2>Rejects by reason</h2>
${rejects.length === 0 ? '<p>None.</p>' : `<table><tr><th>object</th><th>reason</th><th>count</th><th>examples</th></tr>\n${rejectRows}\n</table>`}
</body></html>
`;
}
