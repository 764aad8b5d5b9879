export { ERROR_CODES, type ErrorCode } from './codes.js';
export { CrmError, type CrmErrorOptions, type ErrorLocation, formatLocation, isCrmError } from './crm-error.js';
export { redact, registerSecret } from './redact.js';
