import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnector } from '../../src/connectors/registry.js';
import { registerConnectorTests } from './register-connector-tests.js';

registerConnectorTests('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-sqlite-'));
  const url = `sqlite:${join(dir, 'conformance.db')}`;
  return {
    connector: await openConnector(url),
    reopen: () => openConnector(url),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
