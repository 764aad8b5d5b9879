import { join } from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import type { ObjectVerification, VerifyResult, VerifyScope } from '../../engine/verify/verify.js';
import { writePrivateFile } from '../private-files.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';
import { verifyInWorker } from '../verify-in-worker.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Compare the source, through the mapping, with the target: missing, extra and differing rows (exit 0 equal, 1 differ, 2 could not run)',
    )
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--object <names>', 'only these objects, comma-separated')
    .option('--limit <n>', 'differences listed per kind and object (human output)', '20')
    .addOption(scopeOption())
    .option('--json', 'print the result as JSON')
    .option('--report <file>', 'JSON report file (default: .crmbridge/reports/verify-<time>.json)')
    .option('--no-custom', 'refuse a mapping that runs custom transform code (a project file from an untrusted source)')
    .action(runAction(runVerify));
}

export interface VerifyCommandOptions {
  project: string;
  object?: string;
  limit?: string;
  scope?: VerifyScope;
  json?: boolean;
  report?: string;
  /** false (`--no-custom`): refuse a mapping that runs custom module code. */
  custom?: boolean;
}

/** `crmbridge verify`: returns the exit code (0 equal, 1 differ, 2 could not run). */
export async function runVerify(opts: VerifyCommandOptions): Promise<number> {
  // In a worker with a capped heap (bounded memory); it opens the project's connections itself.
  const result = await verifyInWorker({
    project: opts.project,
    custom: opts.custom !== false,
    ...(opts.object ? { objects: opts.object.split(',').map((s) => s.trim()) } : {}),
    ...(opts.scope ? { scope: opts.scope } : {}),
  });
  const report = opts.report ?? join(stateFolder(opts.project), 'reports', `verify-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeReport(report, result);
  process.stdout.write(
    opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderVerify(result, Number(opts.limit ?? '20'))}Report: ${report}\n`,
  );
  return verifyExitCode(result);
}

/** `--scope`: which target rows verify (and repair) compare. */
export function scopeOption() {
  return new Option('--scope <scope>', 'target rows compared: migration (rows this migration owns; others only counted) or all')
    .choices(['migration', 'all'] as const)
    .default('migration' as const);
}

/** 0 equal, 1 differences, 2 an object could not be verified. */
export function verifyExitCode(result: VerifyResult): number {
  return result.failed ? 2 : result.equal ? 0 : 1;
}

export async function writeReport(path: string, result: unknown): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(result, null, 2)}\n`);
}

export function renderVerify(result: VerifyResult, limit: number): string {
  const lines: string[] = [];
  for (const o of result.objects) lines.push(...renderObject(o, limit));
  lines.push(
    result.failed
      ? 'Verification could not finish for every object.'
      : result.equal
        ? `Target equals the source through the mapping (${result.seconds.toFixed(1)} s).`
        : `Differences found (${result.seconds.toFixed(1)} s); \`crmbridge repair\` fixes them.`,
  );
  return `${lines.join('\n')}\n`;
}

function renderObject(o: ObjectVerification, limit: number): string[] {
  if (o.status === 'failed') return [`${o.object} → ${o.table}: FAILED ${o.error ?? ''}`];
  const c = o.counts;
  const lines = [
    `${o.object} → ${o.table}: ${o.status === 'equal' ? 'equal' : 'DIFFERENT'} — expected ${c.expected}, target ${c.target}; ` +
      `${o.missing.length} missing, ${o.extra.length} extra, ${o.changed.length} differing; ` +
      `${o.accountedFor.length + c.filtered + (c.duplicates ?? 0)} accounted for (${o.accountedFor.length} rejected, ${c.filtered} filtered${c.duplicates ? `, ${c.duplicates} duplicates` : ''})${o.pushdown ? '' : ' [target hashed in-process]'}`,
  ];
  if (o.foreign > 0) lines.push(`  ${o.foreign} target rows not from this migration, not compared (--scope all to include)`);
  const key = (k: readonly string[]) => k.join(', ');
  if (o.unprovable.length > 0) {
    lines.push(
      `  ${o.unprovable.length} links could not be checked: the source matches several rows for them (only checked that the target holds none)`,
    );
  }
  for (const u of o.unprovable.slice(0, limit)) {
    const shown = u.candidates.slice(0, 5).join(', ') + (u.candidates.length > 5 ? ` and ${u.candidates.length - 5} more` : '');
    lines.push(`  ? source ${u.sourceKey} ${u.field}: candidates ${shown}; expected ${u.expected === 'absent' ? 'row absent' : 'NULL'}`);
  }
  for (const m of o.missing.slice(0, limit)) lines.push(`  - missing ${key(m.key)} (source ${m.sourceKey})`);
  for (const e of o.extra.slice(0, limit)) lines.push(`  + extra ${key(e.key)}`);
  for (const d of o.changed.slice(0, limit)) {
    for (const f of d.fields) {
      lines.push(
        `  ~ ${key(d.key)} ${f.field}: source ${JSON.stringify(f.source)} → expected ${JSON.stringify(f.expected)}, target has ${JSON.stringify(f.actual)}`,
      );
    }
  }
  return lines;
}
