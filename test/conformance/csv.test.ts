import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConnectionString } from '../../src/connectors/connection-string.js';
import { open } from '../../src/connectors/csv/index.js';
import { registerConnectorTests } from './register-connector-tests.js';

registerConnectorTests('csv', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-csv-conformance-'));
  const connect = () => open(parseConnectionString(dir));
  return {
    connector: await connect(),
    reopen: connect,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
