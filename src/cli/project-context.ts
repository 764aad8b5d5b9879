import { dirname, isAbsolute, resolve } from 'node:path';
import type { Connector } from '../connectors/contract.js';
import { openConnector } from '../connectors/registry.js';
import { CrmError } from '../core/errors/index.js';
import { compilePlan } from '../mapping/plan/compile-plan.js';
import type { Plan } from '../mapping/plan/plan-types.js';
import { loadProject } from '../mapping/project/load-project.js';
import type { ProjectFile } from '../mapping/project/project-schema.js';
import { customModulePaths, loadCustomModules } from '../mapping/transforms/custom.js';
import type { StateStore } from '../state/state-store.js';
import { openProjectState } from './project-paths.js';

export interface ProjectContext {
  readonly file: string;
  readonly project: ProjectFile;
  readonly plan: Plan;
  readonly state: StateStore;
  /**
   * The custom transform modules the mapping names, imported when the project was opened, for
   * every command that runs the mapping (plan, migrate, verify, repair, sync).
   */
  readonly transformContext: { readonly customModules: ReadonlyMap<string, Readonly<Record<string, unknown>>> };
  /** The mapping's transform pipelines and the folder custom module paths are relative to (migrate's workers import them again). */
  readonly custom: { readonly pipelines: readonly (readonly unknown[])[]; readonly baseDir: string };
  /** Where each side is, as opened: located URLs (secrets only as `${env:…}` references) and options. */
  readonly endpoints: Readonly<Record<'source' | 'target', { readonly url: string; readonly options?: Readonly<Record<string, unknown>> }>>;
  source(): Promise<Connector>;
  target(): Promise<Connector>;
  close(): Promise<void>;
}

/**
 * Relative file locations in a project file (`sqlite:legacy.db`, `exports/`) are relative to the
 * project file's folder, not to wherever the command is run from.
 */
export function locate(url: string, baseDir: string): string {
  if (/^(postgres|postgresql|mysql|mariadb):/i.test(url) || url.startsWith('${')) return url;
  const sqlite = /^sqlite:(?!:memory:)(.*)$/i.exec(url);
  if (sqlite) {
    const path = sqlite[1].startsWith('//') ? sqlite[1].slice(2) : sqlite[1];
    return isAbsolute(path) ? url : `sqlite:${resolve(baseDir, path)}`;
  }
  return isAbsolute(url) ? url : resolve(baseDir, url);
}

/**
 * Loads and compiles the project, imports its custom transform modules, opens the state store;
 * connectors open on first use. A project file can run code through `custom` transforms (like a
 * Makefile): commands that run the mapping pass `custom: true` (the modules are imported) or
 * `custom: false` (`--no-custom`: a mapping that names one is refused, CRM_M5015); commands
 * that do not run it (design, rollback) pass nothing and import nothing.
 */
export async function openProject(file: string, options: { readonly custom?: boolean } = {}): Promise<ProjectContext> {
  const { project } = await loadProject(file);
  const plan = compilePlan(project);
  const base = dirname(resolve(file));
  const pipelines = plan.objects.flatMap((o) => o.fields.map((f) => f.steps));
  const modules = customModulePaths(pipelines);
  if (options.custom === false && modules.size > 0) {
    throw new CrmError('CRM_M5015', `the mapping runs the custom module(s) ${[...modules].join(', ')} and --no-custom refuses code`, {
      location: { file },
    });
  }
  const customModules = options.custom ? await loadCustomModules(pipelines, base) : new Map<string, Readonly<Record<string, unknown>>>();
  const state = await openProjectState(file);
  const opened: Connector[] = [];
  // The plan's options: the project's, plus what the mapping tells the connectors (the source's zeroDates).
  const endpoint = (side: 'source' | 'target') => ({
    url: locate(project[side].url, base),
    ...(plan[side].options ? { options: plan[side].options } : {}),
  });
  const endpoints = { source: endpoint('source'), target: endpoint('target') };
  const lazy = (side: 'source' | 'target') => {
    let connector: Promise<Connector> | undefined;
    return () => {
      connector ??= openConnector(endpoints[side].url, endpoints[side].options).then((c) => {
        opened.push(c);
        return c;
      });
      return connector;
    };
  };
  return {
    file,
    project,
    plan,
    state,
    transformContext: { customModules },
    custom: { pipelines, baseDir: base },
    endpoints,
    source: lazy('source'),
    target: lazy('target'),
    close: async () => {
      await Promise.all(opened.map((c) => c.close()));
      await state.close();
    },
  };
}
