import { describe, expect, it } from 'vitest';
import { takeTlsSettings, tlsOptions } from '../../../src/connectors/shared/tls-settings.js';
import type { CrmError } from '../../../src/core/errors/index.js';
import { redact } from '../../../src/core/errors/redact.js';

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRET\n-----END PRIVATE KEY-----\n';
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBCERT\n-----END CERTIFICATE-----\n';

function take(url: string, connector: 'postgres' | 'mysql' = 'postgres') {
  const parsed = new URL(url);
  const settings = takeTlsSettings(parsed, connector);
  return { settings, rest: parsed.toString() };
}

describe('TLS settings from a connection URL', () => {
  it('no TLS parameter: a plain connection, as before', () => {
    const { settings, rest } = take('postgres://u@h/db?schema=crm');
    expect(settings).toBeUndefined();
    expect(tlsOptions(settings, 'h')).toBe(false);
    expect(rest).toBe('postgres://u@h/db?schema=crm');
  });

  it('takes libpq and MySQL names alike, and removes them from the URL the driver sees', () => {
    const libpq = take(`postgres://u@h/db?sslmode=verify-ca&sslrootcert=${encodeURIComponent(PEM_CERT)}&application_name=x`);
    expect(libpq.settings).toEqual({ mode: 'verify-ca', ca: PEM_CERT });
    expect(libpq.rest).toBe('postgres://u@h/db?application_name=x');
    const my = take(`mysql://u@h/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=${encodeURIComponent(PEM_CERT)}`, 'mysql');
    expect(my.settings).toEqual({ mode: 'verify-full', ca: PEM_CERT });
    expect(take('mysql://u@h/db?ssl-mode=REQUIRED', 'mysql').settings?.mode).toBe('require');
    expect(take('mysql://u@h/db?ssl-mode=DISABLED', 'mysql').settings?.mode).toBe('disable');
  });

  it('a CA without a mode means verify-full, never less', () => {
    expect(take(`postgres://u@h/db?sslrootcert=${encodeURIComponent(PEM_CERT)}`).settings?.mode).toBe('verify-full');
  });

  it('modes as Node TLS options: require checks nothing, verify-ca the chain, verify-full the chain and the name', () => {
    expect(tlsOptions({ mode: 'disable' }, 'h')).toBe(false);
    expect(tlsOptions({ mode: 'require' }, 'db.example.com')).toMatchObject({ rejectUnauthorized: false });
    const ca = tlsOptions({ mode: 'verify-ca', ca: PEM_CERT }, 'db.example.com');
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: PEM_CERT, servername: 'db.example.com' });
    if (!ca) throw new Error('verify-ca is encrypted');
    expect(ca.checkServerIdentity?.('other', {} as never)).toBeUndefined();
    const full = tlsOptions({ mode: 'verify-full', ca: PEM_CERT }, '10.0.0.1');
    expect(full).toMatchObject({ rejectUnauthorized: true });
    expect(full && 'checkServerIdentity' in full).toBe(false);
    // SNI takes names only: an IP address is not sent as the server name.
    expect(full && 'servername' in full).toBe(false);
  });

  it('refuses an unknown mode (prefer cannot fall back here), a certificate without its key, an unreadable file', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as CrmError).code;
      }
      return 'none';
    };
    expect(code(() => take('postgres://u@h/db?sslmode=prefer'))).toBe('CRM_C1003');
    expect(code(() => take(`postgres://u@h/db?sslmode=require&sslcert=${encodeURIComponent(PEM_CERT)}`))).toBe('CRM_C1003');
    expect(code(() => take('postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem'))).toBe('CRM_C1004');
  });

  it('a private key is a secret: masked in any message', () => {
    take(`postgres://u@h/db?sslcert=${encodeURIComponent(PEM_CERT)}&sslkey=${encodeURIComponent(PEM_KEY)}`);
    expect(redact(`key was ${PEM_KEY}`)).not.toContain('SECRETSECRET');
  });
});
