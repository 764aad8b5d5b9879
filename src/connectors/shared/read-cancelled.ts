import { CrmError, type ErrorLocation } from '../../core/errors/index.js';

/**
 * The error every reader stops with when its caller's signal is aborted: CRM_E6006, an
 * interruption (resumable from the last checkpoint), whatever the driver itself would throw.
 */
export function readCancelled(location: ErrorLocation): CrmError {
  return new CrmError('CRM_E6006', `reading ${location.table ?? location.file ?? 'the source'} was cancelled`, { location });
}
