import { redact } from '../core/errors/index.js';

const MASK = '***';

/**
 * JSON text of run options or a summary with secrets masked, as a last line of defence (the engine
 * is expected to have redacted already). Two layers, both from `core/errors/redact.ts`:
 * - a string under a key that `redact` treats as secret (`password`, `token`, `apiKey`, …) is
 *   masked whole: JSON writes `"password":"x"`, which the `password=x` pattern alone cannot see;
 * - the whole text then goes through `redact` (URL passwords, registered secrets).
 */
export function secretFreeJson(value: unknown): string {
  const text = JSON.stringify(value, (key, v: unknown) => (typeof v === 'string' && isSecretKey(key) ? MASK : v));
  return redact(text);
}

/** Asks `redact` itself whether `key=…` names a secret, so the list of secret names lives in one place. */
function isSecretKey(key: string): boolean {
  const probe = `${key}=x`;
  return key !== '' && redact(probe) !== probe;
}
