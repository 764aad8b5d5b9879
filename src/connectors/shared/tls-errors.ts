import { CrmError } from '../../core/errors/index.js';

/** OpenSSL's verdicts on a certificate chain that Node reports as the error's `code`. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
]);

/**
 * A failed TLS handshake as a catalog error that names what did not match (the certificate's
 * names against the host, or the chain against the CA), or undefined when `err` is no TLS failure.
 */
export function tlsFailure(err: unknown, connector: 'postgres' | 'mysql', server: string | undefined): CrmError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const where = server ? ` of ${server}` : '';
  const location = { connector };
  // mysql2 replaces Node's code with its own (HANDSHAKE_SSL_ERROR) and keeps Node's message.
  const handshake = code === 'HANDSHAKE_SSL_ERROR';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || (handshake && /does not match certificate's altnames/.test(message)))
    return new CrmError('CRM_N2007', `the certificate${where} is not issued for the host in the URL: ${message}`, {
      location,
      cause: err,
    });
  if (handshake || (typeof code === 'string' && UNTRUSTED.has(code)))
    return new CrmError('CRM_N2007', `the certificate${where} is not trusted (${code}): ${message}`, { location, cause: err });
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support SSL/i.test(message))
    return new CrmError('CRM_N2008', `the server${where} does not offer encrypted connections, and the URL asks for them`, {
      location,
      cause: err,
    });
  return undefined;
}
