/** One tool's timed run within a suite. */
export interface ToolRun {
  readonly tool: string;
  readonly seconds: number;
  /** Rows in the target afterwards (counted there, not taken from the tool's own summary). */
  readonly rows: number;
  readonly rowsPerTable: Readonly<Record<string, number>>;
  readonly peakRssMiB: number;
  /** CPU seconds of the tool's own processes (not the database servers'). */
  readonly cpuSeconds?: number;
  readonly load: readonly [number, number];
  /** Indexes (primary keys included) in the target afterwards, where the target is PostgreSQL. */
  readonly indexes?: number;
}

export interface SuiteResult {
  readonly suite: string;
  readonly contacts: number;
  readonly sourceRows: Readonly<Record<string, number>>;
  /** Seconds spent generating the sample into the source (not part of any comparison). */
  readonly generateSeconds: number;
  readonly runs: readonly ToolRun[];
  /** The run every ratio is taken against (the native floor), when the suite has one. */
  readonly baseline?: string;
  readonly notes: readonly string[];
}

export const sum = (counts: Readonly<Record<string, number>>): number => Object.values(counts).reduce((a, b) => a + b, 0);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A markdown table of a suite's runs; pasted into BENCHMARKS.md as printed. */
export function runsTable(result: SuiteResult): string {
  const base = result.runs.find((r) => r.tool === result.baseline);
  const lines = [
    '| tool | seconds | CPU s | rows written | rows/s | × native | peak RSS MiB | indexes | load 1-min (start → end) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of result.runs) {
    const ratio = base ? fmt(r.seconds / base.seconds, 2) : '';
    const indexes = r.indexes === undefined ? '' : String(r.indexes);
    lines.push(
      `| ${r.tool} | ${fmt(r.seconds, 1)} | ${r.cpuSeconds === undefined ? '' : fmt(r.cpuSeconds, 1)} | ${fmt(r.rows)} | ${fmt(r.rows / r.seconds)} | ${ratio} | ${fmt(r.peakRssMiB)} | ${indexes} | ${r.load[0].toFixed(2)} → ${r.load[1].toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** Rows per table: the source, then each tool's target, so a missing row shows. */
export function rowsTable(result: SuiteResult): string {
  const tables = [...new Set([...Object.keys(result.sourceRows), ...result.runs.flatMap((r) => Object.keys(r.rowsPerTable))])].sort();
  const lines = [
    `| table | source | ${result.runs.map((r) => r.tool).join(' | ')} |`,
    `|---|---:|${result.runs.map(() => '---:|').join('')}`,
  ];
  for (const t of tables) {
    const cell = (counts: Readonly<Record<string, number>>) => (t in counts ? fmt(counts[t]) : '');
    lines.push(`| ${t} | ${cell(result.sourceRows)} | ${result.runs.map((r) => cell(r.rowsPerTable)).join(' | ')} |`);
  }
  return lines.join('\n');
}
