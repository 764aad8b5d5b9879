import { CrmError } from './errors/index.js';
import { registerSecret } from './errors/redact.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${env:NAME}` references with the variables' values. Every resolved value is
 * registered as a secret, so it is masked in any message even outside a URL's password slot.
 */
export function resolveEnvRefs(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(ENV_REF, (_match, name: string) => envValue(name, env));
}

function envValue(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined) throw new CrmError('CRM_C1002', `\${env:${name}} is not set`);
  registerSecret(value);
  return value;
}

/**
 * Resolves the `${env:NAME}` references of a `scheme://…` URL into the parsed URL's fields, never
 * into its text: a value holding `@`, `/`, `#`, `?` or `:` (a password `x@canary/1`) stays in its
 * field, percent-encoded, instead of splitting the URL (and sending a fragment to DNS as a host).
 * Each reference is first swapped for a placeholder that is valid in any part of a URL, the URL
 * is parsed, and each field then gets its values. Returns undefined when `raw` does not parse as
 * a URL with the references swapped (a reference standing for the whole URL, for instance).
 */
export function resolveEnvRefsInUrl(raw: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names: string[] = [];
  const placeholder = (i: number) => `crmbridgeenvref${i}z`;
  const swapped = raw.replace(ENV_REF, (_match, name: string) => placeholder(names.push(name) - 1));
  if (names.length === 0) return raw;
  let url: URL;
  try {
    url = new URL(swapped);
  } catch {
    return undefined;
  }
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) || swapped.startsWith(placeholder(0))) return undefined;
  const fill = (text: string, encode: (value: string) => string) =>
    text.replace(/crmbridgeenvref(\d+)z/g, (_m, i: string) => encode(envValue(names[Number(i)], env)));
  url.username = fill(url.username, encodeURIComponent);
  url.password = fill(url.password, encodeURIComponent);
  url.hostname = fill(url.hostname, (v) => v);
  url.port = fill(url.port, (v) => v);
  url.pathname = fill(url.pathname, encodeURIComponent);
  for (const [key, value] of [...url.searchParams])
    if (value.includes('crmbridgeenvref'))
      url.searchParams.set(
        key,
        fill(value, (v) => v),
      );
  return url.toString();
}
