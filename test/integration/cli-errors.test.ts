import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CANARY = 'canary-Secret-4f9a';
const dir = mkdtempSync(join(tmpdir(), 'crmbridge-cli-'));

/** Runs the CLI as a user would and returns its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** One clear line with its code; no stack trace; the secret nowhere. */
function expectUserError(r: { code: number | null; out: string }, code: string) {
  expect(r.code, r.out).not.toBe(0);
  expect(r.out).toContain(`[${code}]`);
  expect(r.out).not.toContain(CANARY);
  expect(r.out).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
}

describe('errors a user can meet on the command line', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreachable server: CRM_N2001, and the password from the URL is masked', () => {
    expectUserError(cli(['analyze', `postgres://admin:${CANARY}@127.0.0.1:1/crm`]), 'CRM_N2001');
  });

  it('a wrong password: CRM_N2002, with the secret from an ${env:…} reference masked', (ctx) => {
    const admin = inject('mysqlUrl');
    if (!admin) return ctx.skip();
    const url = new URL(admin);
    const r = cli(['analyze', `mysql://crm:\${env:CRM_TEST_PW}@${url.host}/mysql`], { CRM_TEST_PW: CANARY });
    expectUserError(r, 'CRM_N2002');
  });

  it('a missing file, a missing project and a malformed project file', () => {
    expectUserError(cli(['analyze', join(dir, 'nowhere.csv')]), 'CRM_C1004');
    expectUserError(cli(['migrate', '-p', join(dir, 'missing.yaml')]), 'CRM_C1004');
    writeFileSync(
      join(dir, 'bad.yaml'),
      'source: { url: "sqlite:a.db" }\ntarget: { url: "sqlite:b.db" }\nobjects:\n  x: { source: { table: t, key: id }, target: { table: t, key: id }, fields: { id: id }, mode: merge }\n',
    );
    const r = cli(['plan', '--offline', '-p', join(dir, 'bad.yaml')]);
    expectUserError(r, 'CRM_M5001');
    expect(r.out).toContain('bad.yaml:4:');
  });

  it('a missing table: CRM_S3001 naming it', () => {
    const db = join(dir, 'empty.db');
    writeFileSync(
      join(dir, 'p.yaml'),
      `source: { url: "sqlite:${db}" }\ntarget: { url: "sqlite:${join(dir, 't.db')}" }\nobjects:\n  x: { source: { table: ghosts, key: id }, target: { table: t, key: id }, fields: { id: id } }\n`,
    );
    cli(['sample', `sqlite:${db}`, '--contacts', '10']);
    const r = cli(['migrate', '-p', join(dir, 'p.yaml')]);
    expectUserError(r, 'CRM_S3001');
    expect(r.out).toContain('ghosts');
  });
});
