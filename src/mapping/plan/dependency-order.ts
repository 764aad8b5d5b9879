import { CrmError } from '../../core/errors/index.js';

/** A reference from one object to another through a target field. */
export interface ReferenceEdge {
  readonly from: string;
  readonly to: string;
  readonly field: string;
  /** The field may stay NULL for a while, so this edge can be loaded in a second pass. */
  readonly nullable: boolean;
}

export interface Ordering {
  readonly order: string[];
  /** Edges loaded in the second pass (`${object}.${field}`). */
  readonly deferred: Set<string>;
}

/**
 * Orders objects so that parents load before children. Self-references are always deferred to
 * the update pass; every other cycle (a strongly connected component of two or more objects) is
 * broken by deferring its nullable edges. A cycle whose edges are all required cannot load at
 * all and fails with CRM_M5004 naming the objects.
 */
export function dependencyOrder(objects: readonly string[], edges: readonly ReferenceEdge[]): Ordering {
  const deferred = new Set<string>();
  const edgeKey = (e: ReferenceEdge) => `${e.from}.${e.field}`;
  for (const e of edges) if (e.from === e.to) deferred.add(edgeKey(e));
  const component = stronglyConnected(
    objects,
    edges.filter((e) => e.from !== e.to),
  );
  for (const e of edges) {
    if (e.from === e.to || component.get(e.from) !== component.get(e.to)) continue;
    if (e.nullable) deferred.add(edgeKey(e));
  }
  // Kahn's algorithm over the remaining edges, stable in declaration order.
  const remaining = edges.filter((e) => !deferred.has(edgeKey(e)));
  const indegree = new Map(objects.map((o) => [o, 0]));
  for (const e of remaining) indegree.set(e.from, (indegree.get(e.from) ?? 0) + 1);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < objects.length) {
    const next = objects.find((o) => !done.has(o) && remaining.every((e) => e.from !== o || done.has(e.to)));
    if (next === undefined) {
      const stuck = objects.filter((o) => !done.has(o));
      throw new CrmError('CRM_M5004', `objects ${stuck.join(', ')} reference each other through required fields only`);
    }
    order.push(next);
    done.add(next);
  }
  return { order, deferred };
}

/** Tarjan's algorithm: object → component id. */
function stronglyConnected(nodes: readonly string[], edges: readonly ReferenceEdge[]): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const e of edges) {
      if (e.from !== v) continue;
      if (!index.has(e.to)) {
        visit(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) {
        low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.set(w, components);
      } while (w !== v);
      components++;
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return component;
}
