import type { Connector } from '../connectors/contract.js';
import { isCrmError } from '../core/errors/index.js';
import { throwIfAborted } from './abort.js';
import type { Analysis, PolymorphicLink, TableProfile } from './analysis-types.js';
import { DEFAULT_DISTINCT_LIMITS, type DistinctLimits, loadHasher } from './distinct-counter.js';
import { inferFkCandidates } from './fk-inference.js';
import { DEFAULT_INCLUSION_LIMITS, type InclusionLimits } from './inclusion.js';
import { findJoinTables } from './join-tables.js';
import { confirmNameLinks, nameLinkChecks } from './name-links.js';
import { type PolymorphicPlan, planPolymorphic, polymorphicChecks, polymorphicLink } from './polymorphic-links.js';
import { findPolymorphicPairs } from './polymorphic-pairs.js';
import { runReferenceChecks } from './reference-checks.js';
import { confirmRelationships, declaredColumns, relationshipCandidates } from './relationships.js';
import { profileTable } from './table-profiler.js';

export interface AnalyzeOptions {
  /** Only these tables (files); all when omitted. References to tables left out are not inferred. */
  readonly tables?: readonly string[];
  /** Profile (and check references on) only the first rows of each table: numbers become estimates. */
  readonly sampleRows?: number;
  /** A column with at most this many distinct values is a picklist, listed with counts (default 50). */
  readonly topValues?: number;
  readonly signal?: AbortSignal;
  onProgress?(table: string, rowsRead: number): void;
  /** Memory bounds; the defaults suit tables of millions of rows. Lower them to exercise the estimates. */
  readonly limits?: { readonly distinct?: DistinctLimits; readonly inclusion?: InclusionLimits };
}

const DEFAULT_PICKLIST_LIMIT = 50;
const BATCH_SIZE = 5_000;

/**
 * Profiles every table of a source and finds its relationships: declared foreign keys,
 * references inferred from column names, polymorphic type+id pairs and join tables, each
 * confirmed against the data. Reads through the Connector contract only, one table at a time,
 * with memory bounded by the limits rather than by table size.
 */
export async function analyze(connector: Connector, options: AnalyzeOptions = {}): Promise<Analysis> {
  try {
    throwIfAborted(options.signal);
    return await analyzeSource(connector, options);
  } catch (error) {
    // A connector may surface an abort as its own error (a DOMException); callers get one code.
    if (options.signal?.aborted && !isCrmError(error)) throwIfAborted(options.signal);
    throw error;
  }
}

async function analyzeSource(connector: Connector, options: AnalyzeOptions): Promise<Analysis> {
  const hash = await loadHasher();
  const schema = await connector.introspect(options.tables ? { tables: options.tables } : undefined);
  const rowLimit = options.sampleRows;
  const signal = options.signal;

  const tables: TableProfile[] = [];
  for (const table of schema.tables) {
    tables.push(
      await profileTable(connector, table, {
        hash,
        picklistLimit: options.topValues ?? DEFAULT_PICKLIST_LIMIT,
        batchSize: BATCH_SIZE,
        distinctLimits: options.limits?.distinct ?? DEFAULT_DISTINCT_LIMITS,
        ...(rowLimit === undefined ? {} : { sampleRows: rowLimit }),
        ...(signal ? { signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
    );
  }

  const pairs = schema.tables.flatMap(findPolymorphicPairs);
  const plans: PolymorphicPlan[] = [];
  for (const pair of pairs) {
    const plan = await planPolymorphic(connector, schema, pair, { rowLimit, signal });
    if (plan) plans.push(plan);
  }
  // Id columns of confirmed polymorphic pairs are not plain references.
  const skip = declaredColumns(schema);
  for (const plan of plans) skip.add(`${plan.pair.table}.${plan.pair.idColumn}`);
  const candidates = relationshipCandidates(schema, inferFkCandidates(schema, skip));
  const polymorphic = plans.map(polymorphicChecks);

  const byName = nameLinkChecks(schema);
  const inclusions = await runReferenceChecks(connector, schema, [...candidates.map((c) => c.check), ...polymorphic.flat(), ...byName], {
    limits: options.limits?.inclusion ?? DEFAULT_INCLUSION_LIMITS,
    ...(rowLimit === undefined ? {} : { rowLimit }),
    ...(signal ? { signal } : {}),
  });
  const relationships = confirmRelationships(candidates, inclusions.slice(0, candidates.length));
  let offset = candidates.length;
  const links: PolymorphicLink[] = plans.map((plan, i) => {
    const own = inclusions.slice(offset, offset + polymorphic[i].length);
    offset += polymorphic[i].length;
    return polymorphicLink(plan, own);
  });
  const nameLinks = confirmNameLinks(byName, inclusions.slice(offset), tables);

  const sampled =
    tables.some((t) => t.sampled) ||
    relationships.some((r) => r.inclusion.sampled) ||
    links.some((l) => l.targets.some((t) => t.inclusion.sampled));
  return {
    version: 1,
    source: { connector: connector.name, displayName: connector.displayName },
    generatedAt: new Date().toISOString(),
    sampled,
    ...(rowLimit === undefined ? {} : { sampleRows: rowLimit }),
    tables,
    relationships,
    joinTables: findJoinTables(schema, tables, relationships, links),
    polymorphic: links,
    nameLinks,
  };
}
