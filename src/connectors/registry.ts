import { parseConnectionString } from './connection-string.js';
import type { ConnectionSpec, Connector } from './contract.js';

/**
 * The one list of connectors. Each is imported lazily, so a user who never touches MySQL never
 * loads its driver. Imported only by cli/, server/ and index.ts (engine code gets Connectors).
 */
const OPENERS: Record<ConnectionSpec['kind'], () => Promise<{ open(spec: ConnectionSpec): Promise<Connector> }>> = {
  postgres: () => import('./postgres/index.js'),
  mysql: () => import('./mysql/index.js'),
  sqlite: () => import('./sqlite/index.js'),
  csv: () => import('./csv/index.js'),
  json: () => import('./json/index.js'),
};

export async function openConnector(raw: string, options?: Readonly<Record<string, unknown>>): Promise<Connector> {
  const spec = parseConnectionString(raw, options);
  const module = await OPENERS[spec.kind]();
  return module.open(spec);
}
