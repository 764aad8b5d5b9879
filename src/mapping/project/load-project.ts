import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CrmError } from '../../core/errors/index.js';
import { isSecretName } from '../../core/errors/redact.js';
import { type ProjectFile, projectSchema } from './project-schema.js';

export interface LoadedProject {
  readonly path: string;
  readonly project: ProjectFile;
}

/**
 * Reads and validates `crmbridge.yaml`. Every error names file:line:column, the bad value and
 * what is expected; unknown keys are errors. A password or credential parameter written into a URL is refused: secrets
 * belong in `${env:NAME}` references, so the file can be committed and shared.
 */
export async function loadProject(path: string): Promise<LoadedProject> {
  if (!existsSync(path))
    throw new CrmError('CRM_C1004', `project file ${path} not found (create one with \`crmbridge init\`)`, { location: { file: path } });
  return { path, project: parseProject(await readFile(path, 'utf8'), path) };
}

export function parseProject(text: string, path: string): ProjectFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    throw new CrmError('CRM_M5001', e.message.split('\n')[0], { location: { file: path, line: pos.line, column_number: pos.col } });
  }
  const result = projectSchema.safeParse(toPlainData(doc, path));
  if (!result.success) throw issueError(result.error.issues[0], doc, lineCounter, path);
  const project = result.data;
  for (const side of ['source', 'target'] as const) {
    const credential = literalCredential(project[side].url);
    if (credential) {
      const node = doc.getIn([side, 'url'], true);
      const pos = isNode(node) && node.range ? lineCounter.linePos(node.range[0]) : undefined;
      throw new CrmError('CRM_M5001', `${side}.url holds ${credential} in clear; write it as \${env:NAME} and export NAME`, {
        location: { file: path, line: pos?.line, column_number: pos?.col },
      });
    }
  }
  return project;
}

const ENV_REF_ONLY = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * The credential a URL holds in clear, named (`password`, `?sslpassword=`), or undefined: the
 * user-info password and every credential parameter must be an `${env:NAME}` reference.
 */
function literalCredential(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(url);
  if (m !== null && m[1] !== '' && !ENV_REF_ONLY.test(m[1])) return 'a password';
  const query = /^[a-z][a-z0-9+.-]*:\/\/[^?#]*\?([^#]*)/i.exec(url)?.[1];
  for (const [name, value] of new URLSearchParams(query ?? '')) {
    if (isSecretName(name) && value !== '' && !ENV_REF_ONLY.test(value)) return `the credential parameter ?${name}=`;
  }
  return undefined;
}

/**
 * The document as plain data. A YAML alias expands to its anchor's whole value: nested aliases
 * (a "billion laughs" file) would expand exponentially, which the yaml library stops at
 * `maxAliasCount`; that, or any other failure to build the data, is a clear CRM_M5001.
 */
function toPlainData(doc: ReturnType<typeof parseDocument>, path: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CrmError(
      'CRM_M5001',
      /alias/i.test(detail)
        ? `the file's YAML aliases (*name) expand too much (more than ${MAX_ALIAS_COUNT} uses); write the values out instead of nesting aliases`
        : `the YAML cannot be read as data: ${detail}`,
      { location: { file: path } },
    );
  }
}

/** Aliases a project file may use (`&defaults` … `*defaults`), far more than a mapping needs. */
const MAX_ALIAS_COUNT = 1000;

function issueError(issue: z.core.$ZodIssue, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: string): CrmError {
  // Walk up the path until a node exists (a missing key is reported at its parent).
  let keys = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') keys = [...keys, issue.keys[0]];
  let node: unknown;
  let at = keys;
  while (at.length > 0) {
    node = doc.getIn(at, true);
    if (isNode(node)) break;
    at = at.slice(0, -1);
  }
  let range = isNode(node) ? node.range : undefined;
  if (issue.code === 'unrecognized_keys') {
    // Point at the unknown key itself, not its value.
    const parent = doc.getIn(keys.slice(0, -1), true);
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === issue.keys[0]) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) range = pair.key.range;
  }
  const pos = range ? lineCounter.linePos(range[0]) : { line: 1, col: 1 };
  const where = keys.join('.') || '(top level)';
  const value = isNode(node) && 'toJSON' in node ? JSON.stringify(node.toJSON()) : undefined;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key "${issue.keys.join('", "')}" (check the spelling; see \`crmbridge schema\`)`
      : issue.message;
  return new CrmError(
    'CRM_M5001',
    `${where}: ${message}${value !== undefined && issue.code !== 'unrecognized_keys' ? `, got ${value}` : ''}`,
    {
      location: { file: path, line: pos.line, column_number: pos.col },
    },
  );
}

/** The JSON Schema of the project file, for editors (`crmbridge schema`). */
export function projectJsonSchema(): Record<string, unknown> {
  // `input`: what a person writes, so fields with defaults are optional.
  return z.toJSONSchema(projectSchema, { io: 'input' }) as Record<string, unknown>;
}
