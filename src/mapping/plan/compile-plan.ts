import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { CrmError } from '../../core/errors/index.js';
import type { DuplicatesRule, FieldSpec, ObjectSpec, ProjectFile } from '../project/project-schema.js';
import { dependencyOrder, type ReferenceEdge } from './dependency-order.js';
import type { FieldPlan, ObjectPlan, Plan } from './plan-types.js';

const asList = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);

/**
 * Compiles a validated project file into the immutable plan: fields normalised, references
 * checked, objects put in dependency order with cycles and self-references deferred to a second
 * pass. Pure: no I/O (the pre-flight checks against real schemas are in `preflight.ts`).
 */
export function compilePlan(project: ProjectFile): Plan {
  const names = Object.keys(project.objects);
  const fieldsByObject = new Map<string, FieldPlan[]>();
  const edges: ReferenceEdge[] = [];
  for (const name of names) {
    const spec = project.objects[name];
    const fields = Object.entries(spec.fields).map(([target, f]) => normaliseField(target, typeof f === 'string' ? { from: f } : f));
    for (const f of fields) {
      if (!f.ref) continue;
      if (f.lookup && f.lookup.pick !== 'first') {
        // A list is no key: the id map finds none, so every such reference would end up NULL or rejected as missing.
        throw new CrmError(
          'CRM_M5009',
          `${name}.${f.target} remaps a lookup with pick: ${f.lookup.pick} (a list) through ref ${f.ref.object}; a reference takes one value`,
          { location: { object: name, column: f.target } },
        );
      }
      if (!project.objects[f.ref.object]) {
        throw new CrmError(
          'CRM_M5007',
          `${name}.${f.target} references object "${f.ref.object}", which the project file does not declare`,
          {
            location: { object: name, column: f.target },
          },
        );
      }
      edges.push({ from: name, to: f.ref.object, field: f.target, nullable: !f.required });
    }
    fieldsByObject.set(name, fields);
  }
  const { order, deferred } = dependencyOrder(names, edges);
  const objects = order.map((name) => {
    const fields = fieldsByObject
      .get(name)!
      .map((f) => (f.ref && deferred.has(`${name}.${f.target}`) ? { ...f, ref: { ...f.ref, deferred: true } } : f));
    return objectPlan(name, project.objects[name], fields, edges, project.options.duplicates);
  });
  const body = {
    version: 1 as const,
    source: {
      url: project.source.url,
      options: sourceOptions(project.source.options, objects),
      timeZone: project.source.timeZone ?? 'UTC',
    },
    target: { url: project.target.url, options: project.target.options, timeZone: project.target.timeZone ?? 'UTC' },
    options: { ...project.options, parallelism: project.options.parallelism ?? Math.max(1, availableParallelism()) },
    objects,
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return deepFreeze({ ...body, hash });
}

/**
 * The source's connector options, with the fields' zero-date rules added as `zeroDates`
 * (`table.column` → rule) so that every reader of the source (migrate's workers, verify, sync)
 * applies them when it reads. A column read by fields with different rules is an error.
 */
function sourceOptions(options: Readonly<Record<string, unknown>> | undefined, objects: readonly ObjectPlan[]) {
  const rules = new Map<string, { rule: string | null; field: string }>();
  for (const object of objects) {
    for (const f of object.fields) {
      if (f.zeroDate === undefined) continue;
      const field = `${object.name}.${f.target}`;
      for (const column of f.from) {
        for (const key of sourceColumnsNamed(object, column)) {
          const seen = rules.get(key);
          if (seen && seen.rule !== f.zeroDate) {
            throw new CrmError('CRM_M5001', `${seen.field} and ${field} declare different zeroDate rules for source column ${key}`, {
              location: { object: object.name, column: f.target },
            });
          }
          rules.set(key, { rule: f.zeroDate, field });
        }
      }
    }
  }
  if (rules.size === 0) return options;
  return { ...options, zeroDates: Object.fromEntries([...rules].map(([key, r]) => [key, r.rule])) };
}

/** `table.column` of the source columns a field's `from` name can stand for: the base table's, or a joined table's by its prefix. */
function sourceColumnsNamed(object: ObjectPlan, column: string): string[] {
  const out = [`${object.source.table}.${column}`];
  for (const j of object.source.joins) if (column.startsWith(j.prefix)) out.push(`${j.table}.${column.slice(j.prefix.length)}`);
  return out;
}

function normaliseField(target: string, f: FieldSpec): FieldPlan {
  const ref = f.ref === undefined ? undefined : typeof f.ref === 'string' ? { object: f.ref, onMissing: 'reject' as const } : f.ref;
  return {
    target,
    from: asList(f.from),
    ...(f.value !== undefined ? { constant: f.value } : {}),
    steps: f.transform ?? [],
    ...(ref
      ? { ref: { object: ref.object, onMissing: ref.onMissing, deferred: false, ...('when' in ref && ref.when ? { when: ref.when } : {}) } }
      : {}),
    ...(f.lookup ? { lookup: f.lookup } : {}),
    ...(f.type ? { type: f.type } : {}),
    required: f.required ?? false,
    ...(f.zeroDate !== undefined ? { zeroDate: f.zeroDate } : {}),
  };
}

function objectPlan(
  name: string,
  spec: ObjectSpec,
  fields: FieldPlan[],
  edges: readonly ReferenceEdge[],
  defaultDuplicates: DuplicatesRule | undefined,
): ObjectPlan {
  const duplicates = spec.source.duplicates ?? defaultDuplicates ?? 'reject';
  const sourceKey = asList(spec.source.key);
  const targetKey = asList(spec.target.key);
  const joins = (spec.source.join ?? []).map((j) => ({ table: j.table, on: j.on, prefix: j.prefix ?? '' }));
  // Columns read from the base table: the key, then whatever fields and when-conditions use
  // (joined columns are resolved by the engine from the side tables).
  const used = new Set<string>(sourceKey);
  for (const f of fields) {
    for (const c of f.from) used.add(c);
    for (const c of Object.keys(f.ref?.when ?? {})) used.add(c);
  }
  for (const j of joins) for (const base of Object.values(j.on)) used.add(base);
  const fieldTargets = fields.map((f) => f.target);
  for (const k of targetKey) {
    if (!fieldTargets.includes(k) && spec.target.generateKey === 'none') {
      throw new CrmError('CRM_M5003', `target key ${k} of object ${name} is not mapped (map it, or set target.generateKey: uuid)`, {
        location: { object: name, column: k },
      });
    }
  }
  const columns = [...targetKey, ...fieldTargets.filter((t) => !targetKey.includes(t))];
  return {
    name,
    source: {
      table: spec.source.table,
      key: sourceKey,
      ...(spec.source.filter ? { filter: spec.source.filter } : {}),
      ...(duplicates !== 'reject' ? { duplicates } : {}),
      joins,
      columns: [...used],
    },
    target: { table: spec.target.table, key: targetKey, generateKey: spec.target.generateKey, columns },
    mode: spec.mode,
    fields,
    dependsOn: [
      ...new Set(
        edges.filter((e) => e.from === name && e.to !== name && !fields.find((f) => f.target === e.field)?.ref?.deferred).map((e) => e.to),
      ),
    ],
    deferredFields: fields.filter((f) => f.ref?.deferred).map((f) => f.target),
    ...(spec.sync ? { sync: spec.sync } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
