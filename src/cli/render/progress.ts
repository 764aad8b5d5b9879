import type { MigrateEvent } from '../../engine/events.js';
import type { LedgerCounts } from '../../state/state-store.js';

export type ProgressMode = 'tty' | 'plain' | 'json';

/**
 * Shows a run's progress. `tty`: a live block, one line per object (read/written/rejected,
 * rows/s, ETA), redrawn every second. `plain`: a line per object every 2 s and on each change of
 * state, for CI logs. `json`: every event as one JSON line on stdout, for machines.
 */
export function progressReporter(
  mode: ProgressMode,
  estimates: ReadonlyMap<string, number> = new Map(),
): {
  onEvent: (e: MigrateEvent) => void;
  stop: () => void;
} {
  if (mode === 'json') {
    return {
      onEvent: (e) => process.stdout.write(`${JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`),
      stop: () => {},
    };
  }
  const state = new Map<string, { pass: number; ledger?: LedgerCounts; rate: number; status: string }>();
  let drawn = 0;
  const line = (object: string): string => {
    const s = state.get(object)!;
    const l = s.ledger;
    const written = l ? l.created + l.updated + l.unchanged : 0;
    const total = estimates.get(object);
    const eta = l && total && s.rate > 0 && s.status === 'running' ? ` eta ${Math.max(0, Math.round((total - l.read) / s.rate))}s` : '';
    return `${object.padEnd(22)} ${s.status.padEnd(8)} pass ${s.pass}  read ${l?.read ?? 0}  written ${written}  rejected ${l?.rejected ?? 0}  ${Math.round(s.rate)} rows/s${eta}`;
  };
  const draw = () => {
    if (mode === 'tty') {
      if (drawn > 0) process.stderr.write(`\x1b[${drawn}A`);
      const lines = [...state.keys()].map(line);
      process.stderr.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    } else {
      for (const [object, s] of state) if (s.status === 'running') process.stderr.write(`${line(object)}\n`);
    }
  };
  const timer = setInterval(draw, mode === 'tty' ? 1000 : 2000);
  timer.unref();
  return {
    onEvent: (e) => {
      if (e.type === 'object-started')
        state.set(e.object, {
          pass: e.pass,
          rate: 0,
          status: 'running',
          ...(state.get(e.object)?.ledger ? { ledger: state.get(e.object)!.ledger } : {}),
        });
      else if (e.type === 'progress') state.set(e.object, { pass: e.pass, ledger: e.ledger, rate: e.rowsPerSecond, status: 'running' });
      else if (e.type === 'object-finished') {
        const prev = state.get(e.object);
        state.set(e.object, {
          pass: e.pass,
          ledger: e.pass === 1 ? e.ledger : (prev?.ledger ?? e.ledger),
          rate: prev?.rate ?? 0,
          status: e.status,
        });
        if (mode === 'plain') process.stderr.write(`${line(e.object)}${e.error ? ` ${e.error}` : ''}\n`);
      } else if (e.type === 'warning') process.stderr.write(`warning: ${e.object ? `${e.object}: ` : ''}${e.message}\n`);
      if (mode === 'tty' && e.type !== 'progress') draw();
    },
    stop: () => {
      clearInterval(timer);
      if (mode === 'tty') draw();
    },
  };
}
