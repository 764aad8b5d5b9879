import { type ChildProcess, fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConnector } from '../../../src/connectors/registry.js';
import { freshMysql, freshPostgres } from '../../helpers/databases.js';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

const HOLDER = resolve('test/unit/state/lock-holder.ts');

/** Another process that holds the project lock as `migrate` with a run started; resolves once it does. */
function holdProject(stateFolder: string): Promise<{ child: ChildProcess; runId: string }> {
  return new Promise((done, fail) => {
    const child = fork(HOLDER, [stateFolder], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /held (\S+)\n/.exec(out);
      if (m) done({ child, runId: m[1] });
    });
    child.on('exit', (code) => fail(new Error(`holder exited with ${code}`)));
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((done) => {
    child.on('exit', () => done());
    child.kill('SIGKILL');
  });

describe('one command that writes at a time per project (real processes)', () => {
  it('a second command is refused naming the running one; once that one is killed its run shows interrupted and the next command runs', async () => {
    const { dir, file } = await tinyProject();
    const { child, runId } = await holdProject(join(dir, '.crmbridge'));
    for (const args of [['migrate'], ['rollback', runId], ['repair'], ['sync', '--once']]) {
      const refused = cli(dir, [...args, '-p', file]);
      expect(refused.code, refused.out).toBe(2);
      expect(refused.out).toContain('[CRM_E6018]');
      expect(refused.out).toContain(`\`crmbridge migrate\` (pid ${child.pid}`);
    }
    await killed(child);
    const listed = cli(dir, ['runs', '-p', file, '--json']);
    expect(JSON.parse(listed.out.slice(listed.out.indexOf('[')))[0]).toMatchObject({ id: runId, status: 'interrupted' });
    const ran = cli(dir, ['migrate', '-p', file]);
    expect(ran.code, ran.out).toBe(0);
  });
});

describe('one project writing to a target at a time', () => {
  for (const [name, fresh] of [
    ['postgres', freshPostgres],
    ['mysql', freshMysql],
  ] as const) {
    it(`${name}: a command of another project writing to the same target is refused (CRM_E6019) until the lock is released`, async (ctx) => {
      const db = await fresh();
      if (!db) return ctx.skip();
      try {
        const other = await openConnector(db.url);
        const lock = await other.lockTarget?.('sync');
        expect(lock).toBeDefined();
        // A project file refuses a written password: the URL takes it from the environment.
        const url = new URL(db.url);
        const env = { CRM_TEST_TARGET_PW: decodeURIComponent(url.password) };
        const target = `${url.protocol}//${url.username}${url.password ? ':${env:CRM_TEST_TARGET_PW}' : ''}@${url.host}${url.pathname}`;
        const { dir, file } = await tinyProject({ target });
        const refused = cli(dir, ['migrate', '-p', file], env);
        expect(refused.code, refused.out).toBe(2);
        expect(refused.out).toContain('[CRM_E6019]');
        if (name === 'postgres') expect(refused.out).toContain('crmbridge sync pid');
        await lock?.release();
        await other.close();
        const ran = cli(dir, ['migrate', '-p', file], env);
        expect(ran.code, ran.out).toBe(0);
      } finally {
        await db.drop();
      }
    });
  }
});
