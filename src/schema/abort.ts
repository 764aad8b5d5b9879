import { CrmError } from '../core/errors/index.js';

/** Stops an analysis between batches when its signal fires, as the catalog's "Interrupted" error. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CrmError('CRM_E6006', 'analysis cancelled', { cause: signal.reason });
}
