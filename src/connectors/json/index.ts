import type { ConnectionSpec, Connector } from '../contract.js';
import { JsonConnector } from './json-connector.js';
import { JsonLocation } from './json-location.js';

export async function open(spec: ConnectionSpec): Promise<Connector> {
  return new JsonConnector(JsonLocation.fromSpec(spec.resolved, spec.options));
}
