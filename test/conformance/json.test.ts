import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnector } from '../../src/connectors/registry.js';
import { registerConnectorTests } from './register-connector-tests.js';

registerConnectorTests('json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-json-'));
  const open = () => openConnector(dir, { format: 'json' });
  return {
    connector: await open(),
    reopen: open,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
