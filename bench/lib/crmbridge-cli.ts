import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Measured, measureCommand, run, tail } from './measure.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CrmbridgeBuild {
  /** The compiled CLI entry point. */
  readonly cli: string;
  readonly commit: string;
  /** src/ in the working tree differs from the commit measured (other engineers' work in progress). */
  readonly workingTreeDiffers: boolean;
  /** Type errors of the commit; tsc still emits, and a commit is measured even when files the CLI never loads are mid-change. */
  readonly typeErrors: string;
}

/**
 * Compiles src/ as committed at HEAD into bench/out/build/<commit>/dist. Others edit and rebuild
 * the shared dist/ while a run is going on, so the benchmark measures a snapshot that cannot
 * change under it and that its commit names exactly. It sits inside the repository so that
 * node_modules resolves as it does for dist/.
 */
export async function buildCrmbridge(): Promise<CrmbridgeBuild> {
  const git = async (...args: string[]) => {
    const r = await run('git', args, { cwd: REPO });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const commit = await git('rev-parse', 'HEAD');
  const workingTreeDiffers = (await git('status', '--porcelain', '--', 'src')) !== '';
  const dir = join(REPO, 'bench', 'out', 'build', commit);
  const cli = join(dir, 'dist', 'cli', 'main.js');
  const errorsFile = join(dir, 'type-errors.txt');
  if (existsSync(cli)) return { cli, commit, workingTreeDiffers, typeErrors: await readFile(errorsFile, 'utf8') };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const archive = await run('sh', ['-c', `git archive ${commit} src | tar -x -C '${dir}'`], { cwd: REPO });
  if (archive.code !== 0) throw new Error(`git archive: ${archive.stderr}`);
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: {
        rootDir: 'src',
        outDir: 'dist',
        declaration: false,
        sourceMap: false,
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      include: ['src'],
      // The repository's config excludes bench/out, where this snapshot lives.
      exclude: [],
    }),
  );
  const tsc = await run(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir });
  if (!existsSync(cli)) throw new Error(`compiling crmbridge ${commit} failed:\n${tail(tsc.stdout + tsc.stderr)}`);
  const typeErrors = tsc.code === 0 ? '' : tsc.stdout.trim();
  await writeFile(errorsFile, typeErrors);
  return { cli, commit, workingTreeDiffers, typeErrors };
}

export interface MigrateRun extends Measured {
  /** The .cpuprofile files written when profiling was asked for: one per thread (main and workers). */
  readonly profiles?: readonly string[];
}

/**
 * `crmbridge migrate -p <project>` as a child process, the way a user runs it, so the wall time
 * includes start-up, pre-flight and the report, and the peak memory is that of the CLI alone.
 */
export async function runMigrateCli(
  build: CrmbridgeBuild,
  project: string,
  options: { env?: NodeJS.ProcessEnv; profileDir?: string } = {},
): Promise<MigrateRun> {
  const profiling = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const measured = await measureCommand(process.execPath, [...profiling, build.cli, 'migrate', '-p', project], {
    env: { ...process.env, ...options.env },
  });
  if (!/ completed in /.test(measured.stdout)) throw new Error(`crmbridge migrate did not complete:\n${tail(measured.stdout)}`);
  if (!options.profileDir) return measured;
  const profiles = (await readdir(options.profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  return { ...measured, profiles: profiles.map((f) => join(options.profileDir!, f)) };
}
