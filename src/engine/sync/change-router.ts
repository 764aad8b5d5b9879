import type { ChangeEvent, ChangeFeedOptions, Connector } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { Value } from '../../core/types.js';
import type { FieldPlan, JoinPlan, ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import type { LookupSpec } from '../../mapping/project/project-schema.js';

/** How a change to one source table reaches the keys of an object built from it. */
type Route =
  | { readonly kind: 'base'; readonly object: ObjectPlan }
  | { readonly kind: 'join'; readonly object: ObjectPlan; readonly join: JoinPlan }
  | { readonly kind: 'lookup'; readonly object: ObjectPlan; readonly field: FieldPlan; readonly spec: LookupSpec }
  | { readonly kind: 'through'; readonly object: ObjectPlan; readonly field: FieldPlan; readonly spec: LookupSpec };

/** A route that needs the source asked (every one but the base table's own). */
type IndirectRoute = Exclude<Route, { readonly kind: 'base' }>;

/** Changed source keys (`encodeKey` text) per object name. */
export type ChangedKeys = Map<string, Set<string>>;

function routesOf(plan: Plan): Map<string, Route[]> {
  const routes = new Map<string, Route[]>();
  const add = (table: string, route: Route) => routes.set(table, [...(routes.get(table) ?? []), route]);
  for (const object of plan.objects) {
    add(object.source.table, { kind: 'base', object });
    for (const join of object.source.joins) add(join.table, { kind: 'join', object, join });
    for (const field of object.fields) {
      if (!field.lookup) continue;
      add(field.lookup.table, { kind: 'lookup', object, field, spec: field.lookup });
      if (field.lookup.through) add(field.lookup.through.table, { kind: 'through', object, field, spec: field.lookup });
    }
  }
  return routes;
}

/**
 * What a feed must follow for a plan: every table an object reads (base, joined side tables,
 * lookup tables and their second hops). Lookup tables are matched on a non-key column, so their
 * deletes must carry the whole old row.
 */
export function feedOptions(plan: Plan, name: string): ChangeFeedOptions {
  const routes = routesOf(plan);
  const fullImageTables = [...routes].filter(([, rs]) => rs.some((r) => r.kind === 'lookup')).map(([t]) => t);
  return { name, tables: [...routes.keys()], fullImageTables };
}

/**
 * Maps changes of source tables to the keys of the objects they feed: a base-table change to
 * its own key; a joined side table (`accounts_cstm` on `id_c = id`) through the join columns;
 * a lookup table (`email_addr_bean_rel`) through its match column, and its second hop
 * (`email_addresses`) through the relation rows that point at it. Both row images count (a
 * relation moved from one record to another changes both). Queries to the source are batched:
 * one `readByKeys` per route and batch, never per change.
 */
export class ChangeRouter {
  private readonly routes: Map<string, Route[]>;

  constructor(
    plan: Plan,
    private readonly source: Connector,
  ) {
    this.routes = routesOf(plan);
  }

  /** Tables read besides base tables (joined side tables, lookup tables and their second hops), with the columns their routes use. */
  sideTables(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [table, routes] of this.routes) {
      const columns = routes.flatMap((r) =>
        r.kind === 'base'
          ? []
          : r.kind === 'join'
            ? Object.keys(r.join.on)
            : r.kind === 'lookup'
              ? [r.spec.match]
              : [r.spec.through!.match],
      );
      if (columns.length > 0) out.set(table, [...new Set(columns)]);
    }
    return out;
  }

  async route(changes: readonly ChangeEvent[]): Promise<ChangedKeys> {
    const out: ChangedKeys = new Map();
    const add = (object: ObjectPlan, key: readonly Value[]) => {
      if (key.some((v) => v === null || v === undefined)) return;
      const set = out.get(object.name) ?? new Set<string>();
      set.add(encodeKey(key));
      out.set(object.name, set);
    };
    // Values to resolve per route, collected over the whole batch first.
    const pending = new Map<IndirectRoute, Value[][]>();
    const later = (route: IndirectRoute, values: Value[]) => {
      if (values.some((v) => v === null || v === undefined)) return;
      pending.set(route, [...(pending.get(route) ?? []), values]);
    };
    for (const change of changes) {
      for (const route of this.routes.get(change.table) ?? []) {
        const images = [change.before, change.after].filter((i): i is Readonly<Record<string, unknown>> => i !== undefined);
        if (route.kind === 'base') {
          const image = change.after ?? change.before ?? {};
          add(
            route.object,
            route.object.source.key.map((k, i) => (image[k] ?? change.key[i] ?? null) as Value),
          );
          continue;
        }
        for (const image of images) {
          if (route.kind === 'join')
            later(
              route,
              Object.keys(route.join.on).map((c) => (image[c] ?? null) as Value),
            );
          else if (route.kind === 'lookup') later(route, [(image[route.spec.match] ?? null) as Value]);
          else later(route, [(image[route.spec.through!.match] ?? null) as Value]);
        }
      }
    }
    for (const [route, values] of pending) {
      for (const key of await this.resolve(route, unique(values))) add(route.object, key);
    }
    return out;
  }

  /** Object keys for the collected values of one route. */
  private async resolve(route: IndirectRoute, values: Value[][]): Promise<Value[][]> {
    const { object } = route;
    const base = object.source;
    if (route.kind === 'join') return this.baseKeys(object, Object.values(route.join.on), values);
    let matches = values;
    if (route.kind === 'through') {
      const through = route.spec.through!;
      const related = await this.source.readByKeys(route.spec.table, [through.from], values, [route.spec.match]);
      matches = unique(related.rows.map((r) => [r[0]]));
    }
    // `match` holds the row's key when the lookup has no `from`, else the value of `from`.
    if (route.field.from.length === 0) return base.key.length === 1 ? matches : [];
    return this.baseKeys(object, [route.field.from[0]], matches);
  }

  /** Keys of the base rows whose `columns` hold one of `values` (no query when `columns` is the key). */
  private async baseKeys(object: ObjectPlan, columns: readonly string[], values: Value[][]): Promise<Value[][]> {
    const { key, table } = object.source;
    if (values.length === 0) return [];
    if (columns.length === key.length && key.every((k) => columns.includes(k))) {
      return values.map((v) => key.map((k) => v[columns.indexOf(k)]));
    }
    const rows = await this.source.readByKeys(table, columns, values, key);
    return rows.rows.map((r) => key.map((_, i) => r[i]));
  }
}

function unique(values: readonly Value[][]): Value[][] {
  return [...new Map(values.map((v) => [encodeKey(v), v])).values()];
}
