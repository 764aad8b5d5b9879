import { CrmError } from './errors/index.js';
import { registerSecret } from './errors/redact.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${env:NAME}` references with the variables' values. Every resolved value is
 * registered as a secret, so it is masked in any message even outside a URL's password slot.
 */
export function resolveEnvRefs(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(ENV_REF, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) throw new CrmError('CRM_C1002', `\${env:${name}} is not set`);
    registerSecret(value);
    return value;
  });
}
