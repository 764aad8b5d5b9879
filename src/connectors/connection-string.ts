import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { resolveEnvRefs, resolveEnvRefsInUrl } from '../core/env-refs.js';
import { CrmError } from '../core/errors/index.js';
import { registerSecret } from '../core/errors/redact.js';
import type { ConnectionSpec } from './contract.js';

/**
 * Parses a connection string: `postgres://…`/`postgresql://…`, `mysql://…`/`mariadb://…`,
 * `sqlite:path`, or a path to a .csv/.tsv/.json/.ndjson/.jsonl file or a folder of them.
 * `${env:NAME}` references are resolved here, and a URL's password is registered as a secret.
 */
export function parseConnectionString(raw: string, options?: Readonly<Record<string, unknown>>): ConnectionSpec {
  // A server URL takes its references into its parsed fields (a password may hold `@` or `/`).
  const resolved = (/^(postgres|postgresql|mysql|mariadb):/i.test(raw) ? resolveEnvRefsInUrl(raw) : undefined) ?? resolveEnvRefs(raw);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(resolved)?.[1]?.toLowerCase();
  const make = (kind: ConnectionSpec['kind']): ConnectionSpec => ({ raw, resolved, kind, ...(options ? { options } : {}) });
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql' || scheme === 'mariadb') {
    try {
      const url = new URL(resolved);
      registerSecret(decodeURIComponent(url.password));
    } catch {
      throw new CrmError('CRM_C1001', `cannot parse the URL ${raw}`);
    }
    return make(scheme.startsWith('postgres') ? 'postgres' : 'mysql');
  }
  if (scheme === 'sqlite') return make('sqlite');
  const ext = extname(resolved).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return make('csv');
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return make('json');
  if (ext === '.db' || ext === '.sqlite' || ext === '.sqlite3')
    return { raw, resolved: `sqlite:${resolved}`, kind: 'sqlite', ...(options ? { options } : {}) };
  if (existsSync(resolved) && statSync(resolved).isDirectory()) {
    const format = options?.format;
    return make(format === 'json' ? 'json' : 'csv');
  }
  throw new CrmError('CRM_C1001', `cannot tell what kind of source or target "${raw}" is`);
}
