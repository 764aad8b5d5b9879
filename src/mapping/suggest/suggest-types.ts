import type { FieldSpec, ObjectSpec } from '../project/project-schema.js';

/** One suggested target field: its mapping, how sure suggest is, and why. */
export interface FieldSuggestion {
  readonly target: string;
  readonly spec: FieldSpec;
  readonly confidence: number;
  readonly reason: string;
  /** At or above the threshold: written as mapping; below it, written commented out. */
  readonly accepted: boolean;
  /** Lines written above the field (picklist values left to decide, …). */
  readonly notes?: readonly string[];
}

export interface ObjectSuggestion {
  readonly name: string;
  readonly source: ObjectSpec['source'];
  readonly target: { readonly table: string; readonly key: string | string[]; readonly generateKey: 'none' | 'uuid' };
  readonly confidence: number;
  readonly reason: string;
  readonly fields: readonly FieldSuggestion[];
}

export interface SuggestReport {
  readonly objects: readonly ObjectSuggestion[];
  /** Required target fields nothing was mapped to: the run would reject every row. */
  readonly unmappedRequired: readonly { readonly object: string; readonly table: string; readonly field: string }[];
  /** Source columns no accepted suggestion reads (housekeeping columns such as `deleted` left out). */
  readonly unmappedSource: readonly { readonly table: string; readonly column: string }[];
  /** Source tables that became no object, no join and no lookup. */
  readonly unmappedTables: readonly string[];
}
