import type { DuplicatesRule, LookupSpec } from '../project/project-schema.js';

/**
 * The compiled plan: immutable plain data (frozen), printable (`crmbridge plan --json`) and
 * hashed, so a resumed run can prove it runs the same plan. Transforms are kept as their
 * validated steps here; `compileObject` turns them into functions once per run.
 */
export interface Plan {
  readonly version: 1;
  /** SHA-256 of the plan's JSON without this field. */
  readonly hash: string;
  /** Connection strings as written (may hold ${env:…} references, never a resolved secret). */
  readonly source: { readonly url: string; readonly options?: Readonly<Record<string, unknown>>; readonly timeZone: string };
  readonly target: { readonly url: string; readonly options?: Readonly<Record<string, unknown>>; readonly timeZone: string };
  readonly options: {
    readonly batchSize: number;
    readonly parallelism: number;
    readonly workerMemoryMb?: number;
    readonly maxErrors?: number;
    readonly maxErrorRatio?: number;
    readonly defaultCountry?: string;
    readonly locale?: string;
    readonly duplicates?: DuplicatesRule;
  };
  /** Objects in dependency order: every object comes after the objects it references (deferred references excepted). */
  readonly objects: readonly ObjectPlan[];
}

export interface JoinPlan {
  readonly table: string;
  /** joined column → base column */
  readonly on: Readonly<Record<string, string>>;
  readonly prefix: string;
}

export interface ReferencePlan {
  readonly object: string;
  readonly when?: Readonly<Record<string, string | number | boolean | null>>;
  readonly onMissing: 'reject' | 'null';
  /** Loaded in the second pass (self-reference or a reference that breaks a cycle). */
  readonly deferred: boolean;
}

export interface FieldPlan {
  readonly target: string;
  /** Source columns read for this field (after joins; may be empty for constants). */
  readonly from: readonly string[];
  readonly constant?: string | number | boolean | null;
  readonly steps: readonly unknown[];
  readonly ref?: ReferencePlan;
  readonly lookup?: LookupSpec;
  /** Declared target type (canonical type text such as `decimal(18,2)`), for design. */
  readonly type?: string;
  readonly required: boolean;
  /** What a zero date in the source column(s) becomes (null, 'reject' or a date); carried to the source as its `zeroDates` option. */
  readonly zeroDate?: string | null;
}

export interface ObjectPlan {
  readonly name: string;
  readonly source: {
    readonly table: string;
    readonly key: readonly string[];
    readonly filter?: string;
    /** The rule for rows sharing a source key; absent = reject (absent, so older plans keep their hash). */
    readonly duplicates?: Exclude<DuplicatesRule, 'reject'>;
    readonly joins: readonly JoinPlan[];
    /** Every source column the object reads from the base table, key first. */
    readonly columns: readonly string[];
  };
  readonly target: {
    readonly table: string;
    readonly key: readonly string[];
    readonly generateKey: 'none' | 'uuid';
    /** Target columns written, in order (key columns first). */
    readonly columns: readonly string[];
  };
  readonly mode: 'insert' | 'upsert' | 'update';
  readonly fields: readonly FieldPlan[];
  /** Objects that must be loaded before this one. */
  readonly dependsOn: readonly string[];
  /** Target fields written in the second pass (deferred references). */
  readonly deferredFields: readonly string[];
  readonly sync?: Readonly<Record<string, unknown>>;
}

/** A pre-flight finding. Errors stop the run before any write; warnings are printed. */
export interface PlanProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly object?: string;
  readonly field?: string;
  readonly message: string;
}
