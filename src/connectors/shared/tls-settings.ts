import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { CrmError, registerSecret } from '../../core/errors/index.js';

/**
 * Encrypted connections, one vocabulary for PostgreSQL and MySQL/MariaDB URLs.
 *
 * The modes are libpq's: `disable` (plain text), `require` (encrypted, the certificate is not
 * checked), `verify-ca` (encrypted, signed by a trusted CA), `verify-full` (and issued for the
 * host named in the URL — the one to use). MySQL's names are accepted as aliases
 * (`ssl-mode=DISABLED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY`), so are its file parameters.
 *
 * The parameters are taken out of the URL and turned into Node's TLS options here, instead of
 * being left to the drivers: pg's own parser reads `sslmode=require` as verify-full and
 * mysql2 reads none of them, so the same URL would mean different things per driver.
 */
export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface TlsSettings {
  readonly mode: TlsMode;
  /** PEM texts (read from the files the URL names, or given inline). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

const MODES: Readonly<Record<string, TlsMode>> = {
  disable: 'disable',
  require: 'require',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
  disabled: 'disable',
  required: 'require',
  verify_ca: 'verify-ca',
  verify_identity: 'verify-full',
};

/** URL parameter → setting; the first of each pair is libpq's name, the second MySQL's. */
const FILE_PARAMETERS = [
  ['sslrootcert', 'ssl-ca', 'ca'],
  ['sslcert', 'ssl-cert', 'cert'],
  ['sslkey', 'ssl-key', 'key'],
] as const;

/**
 * Reads and removes the TLS parameters of `url` (the drivers must not see them). Returns
 * undefined when the URL names none: the connection is then plain, as it always was.
 */
export function takeTlsSettings(url: URL, connector: 'postgres' | 'mysql'): TlsSettings | undefined {
  const take = (...names: string[]): string | undefined => {
    let value: string | undefined;
    for (const name of names) {
      value ??= url.searchParams.get(name) ?? undefined;
      url.searchParams.delete(name);
    }
    return value;
  };
  const modeText = take('sslmode', 'ssl-mode');
  const files: { ca?: string; cert?: string; key?: string } = {};
  for (const [libpq, mysql, field] of FILE_PARAMETERS) {
    const value = take(libpq, mysql);
    if (value !== undefined) files[field] = pem(value, libpq, connector);
  }
  if (files.key) registerSecret(files.key);
  if (modeText === undefined && Object.keys(files).length === 0) return undefined;
  const mode = modeText === undefined ? 'verify-full' : MODES[modeText.toLowerCase()];
  if (!mode)
    throw new CrmError(
      'CRM_C1003',
      `sslmode=${modeText} is not supported: use disable, require, verify-ca or verify-full (verify-full is recommended)`,
      { location: { connector } },
    );
  if ((files.cert === undefined) !== (files.key === undefined))
    throw new CrmError('CRM_C1003', 'a client certificate needs both sslcert and sslkey', { location: { connector } });
  return { mode, ...files };
}

/** A PEM given inline (it starts with `-----BEGIN`) or the path of a PEM file. */
function pem(value: string, parameter: string, connector: string): string {
  if (value.startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new CrmError('CRM_C1004', `cannot read the ${parameter} file ${value}`, { cause, location: { connector } });
  }
}

/**
 * Node's TLS options for a connection to `host` (false: plain text). verify-ca checks the chain
 * but not the name; require checks neither, as libpq does without a root certificate.
 */
export function tlsOptions(settings: TlsSettings | undefined, host: string): ConnectionOptions | false {
  if (!settings || settings.mode === 'disable') return false;
  const verify = settings.mode !== 'require';
  return {
    rejectUnauthorized: verify,
    ...(settings.ca ? { ca: settings.ca } : {}),
    ...(settings.cert ? { cert: settings.cert } : {}),
    ...(settings.key ? { key: settings.key } : {}),
    // SNI takes a host name only; an IP address is checked against the certificate's IP entries.
    ...(isIP(host) ? {} : { servername: host }),
    ...(settings.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}
