/**
 * Fault injection for the kill tests (test/integration/fault-injection.test.ts):
 * `CRMBRIDGE_KILL_AT=<point>:<n>` makes the process kill itself with SIGKILL — as `kill -9`
 * would: no cleanup, no flush, worker threads included — the n-th time one thread reaches the
 * named point. The points sit in the windows a crash must survive: after a journal intent
 * committed and before the target write it covers (`intent`), after a target write and before
 * its checkpoint (`written`), after a checkpoint (`committed`). Unset (always, outside tests),
 * a point costs one comparison.
 */
const spec = parseSpec(process.env.CRMBRIDGE_KILL_AT);
let hits = 0;

export function killPoint(name: string): void {
  if (spec === undefined || spec.name !== name) return;
  hits++;
  if (hits === spec.n) process.kill(process.pid, 'SIGKILL');
}

function parseSpec(text: string | undefined): { name: string; n: number } | undefined {
  const match = text === undefined ? null : /^([\w.-]+):(\d+)$/.exec(text);
  return match ? { name: match[1], n: Number(match[2]) } : undefined;
}
