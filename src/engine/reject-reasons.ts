import type { ErrorCode } from '../core/errors/index.js';

/** The snake_case reason stored with a reject, per catalog code of a row-level error. */
const REASONS: Partial<Record<ErrorCode, string>> = {
  CRM_R4001: 'malformed_record',
  CRM_R4002: 'invalid_encoding',
  CRM_R4003: 'invalid_value',
  CRM_R4004: 'malformed_record',
  CRM_R4005: 'value_too_long',
  CRM_R4006: 'numeric_overflow',
  CRM_R4007: 'not_null',
  CRM_R4008: 'duplicate_key',
  CRM_R4009: 'missing_parent',
  CRM_R4010: 'transform_failed',
  CRM_R4011: 'unmapped_value',
  CRM_R4012: 'parent_rejected',
  CRM_R4013: 'target_rejected',
  CRM_R4014: 'ambiguous_reference',
  CRM_R4017: 'zero_date',
  CRM_R4015: 'duplicate_conflict',
  CRM_R4016: 'duplicate_superseded',
};

export function reasonFor(code: ErrorCode): string {
  return REASONS[code] ?? 'target_rejected';
}

/** Row-level codes: an error with one of these rejects its row; any other error stops the object. */
export function isRowLevel(code: ErrorCode): boolean {
  return code in REASONS;
}
