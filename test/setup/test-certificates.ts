import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from './processes.js';

/** PEM files of a throwaway certificate authority, a server certificate and a client certificate. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly ca: string;
  /** Another CA, which signed nothing here: trusting it must fail. */
  readonly otherCa: string;
  /** Issued for IP 127.0.0.1 only, so `localhost` is the wrong host name for it. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** CN = `certuser`, for certificate authentication. */
  readonly clientCert: string;
  readonly clientKey: string;
  remove(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes the certificates with `openssl` (nothing is downloaded); the server's key and certificate
 * are owned by `owner` (the server refuses a key others can read).
 */
export async function makeTestCertificates(owner: { uid?: number; gid?: number } = {}): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-tls-'));
  const path = (name: string) => join(dir, name);
  const authority = async (name: string) =>
    exec('openssl', [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  const issue = async (name: string, subject: string, altNames?: string) => {
    await exec('openssl', ['req', ...EC, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject]);
    const extensions = path(`${name}.ext`);
    await writeFile(extensions, altNames ? `subjectAltName=${altNames}\n` : 'basicConstraints=CA:FALSE\n');
    await exec('openssl', [
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('crmbridge-test-ca.crt'),
      '-CAkey',
      path('crmbridge-test-ca.key'),
      '-CAcreateserial',
      '-out',
      path(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      extensions,
    ]);
  };
  await authority('crmbridge-test-ca');
  await authority('crmbridge-other-ca');
  await issue('server', '/CN=127.0.0.1', 'IP:127.0.0.1');
  await issue('client', '/CN=certuser');
  await chmod(path('server.key'), 0o600);
  if (owner.uid !== undefined && owner.gid !== undefined) {
    await chown(dir, owner.uid, owner.gid);
    for (const f of ['server.key', 'server.crt', 'crmbridge-test-ca.crt']) await chown(path(f), owner.uid, owner.gid);
  }
  return {
    dir,
    ca: path('crmbridge-test-ca.crt'),
    otherCa: path('crmbridge-other-ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
