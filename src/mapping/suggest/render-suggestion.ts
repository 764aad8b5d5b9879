import { Document, isMap, isScalar, type Pair, Scalar, stringify, visit, type YAMLMap } from 'yaml';
import type { SuggestReport } from './suggest-types.js';

export interface RenderOptions {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** What the target is, for the header ("the built-in modern model", a URL). */
  readonly targetLabel: string;
  readonly threshold: number;
}

const pct = (c: number): string => c.toFixed(2);

/**
 * Writes a suggestion as a draft `crmbridge.yaml` with the yaml Document API, so that every
 * suggestion carries its confidence and reason as a comment, and the ones under the threshold
 * are present but commented out: the file loads as it is, and a person promotes a suggestion
 * by uncommenting one line group.
 */
export function renderSuggestion(report: SuggestReport, options: RenderOptions): string {
  const accepted = report.objects.map((o) => ({
    source: o.source,
    target: o.target,
    fields: Object.fromEntries(
      o.fields
        .filter((f) => f.accepted)
        .map((f) => [
          f.target,
          f.spec.from !== undefined && Object.keys(f.spec).length === 1 && typeof f.spec.from === 'string' ? f.spec.from : f.spec,
        ]),
    ),
  }));
  const doc = new Document({
    version: 1,
    source: { url: options.sourceUrl },
    target: { url: options.targetUrl },
    objects: Object.fromEntries(report.objects.map((o, i) => [o.name, accepted[i]])),
  });
  doc.commentBefore = [
    ` Draft written by \`crmbridge suggest\` (${options.targetLabel}). Review every line before a run:`,
    ` each suggestion says how sure it is (0–1) and why; those under ${pct(options.threshold)} are commented out.`,
    ' Secrets go in ${env:NAME} references, e.g. postgres://user:${env:PGPASSWORD}@host/db',
  ].join('\n');

  const objects = doc.get('objects', true);
  if (!isMap(objects)) throw new Error('objects is not a map');
  for (const object of report.objects) {
    const pair = objects.items.find((p) => isScalar(p.key) && p.key.value === object.name) as Pair<unknown, YAMLMap> | undefined;
    if (!pair || !isScalar(pair.key)) continue;
    pair.key.commentBefore = ` ${pct(object.confidence)} ${object.source.table} → ${object.target.table}: ${object.reason}`;
    const fields = pair.value?.get('fields', true);
    if (!isMap(fields)) continue;
    fields.flow = false;
    for (const field of object.fields.filter((f) => f.accepted)) {
      const fieldPair = fields.items.find((p) => isScalar(p.key) && p.key.value === field.target);
      if (!fieldPair || !isScalar(fieldPair.key)) continue;
      fieldPair.key.commentBefore = [` ${pct(field.confidence)} ${field.reason}`, ...(field.notes ?? []).map((n) => ` ${n}`)].join('\n');
    }
    const rejected = object.fields.filter((f) => !f.accepted);
    if (rejected.length > 0) fields.comment = rejected.map((f) => commentedField(f.target, f.spec, f.confidence, f.reason)).join('\n');
  }
  const tail = [
    ...(report.unmappedRequired.length > 0
      ? [
          ' Required target fields with no mapping (every row would reject):',
          ...report.unmappedRequired.map((u) => `   ${u.object}.${u.field} (${u.table})`),
        ]
      : []),
    ...(report.unmappedTables.length > 0 ? [' Source tables not mapped:', ...report.unmappedTables.map((t) => `   ${t}`)] : []),
    ...(report.unmappedSource.length > 0
      ? [' Source columns not mapped:', ...groupColumns(report.unmappedSource).map((line) => `   ${line}`)]
      : []),
  ];
  if (tail.length > 0) doc.comment = tail.join('\n');
  // A separator such as "\n" reads better quoted than as a block scalar.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && /[\n\t]/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** A low-confidence field as comment lines: the reason, then the YAML a person would uncomment. */
function commentedField(target: string, spec: unknown, confidence: number, reason: string): string {
  const yaml = stringify({ [target]: spec }, { lineWidth: 0 })
    .trimEnd()
    .split('\n');
  return [` ${pct(confidence)} ${reason} (below the threshold)`, ...yaml.map((l) => ` ${l}`)].join('\n');
}

function groupColumns(columns: readonly { table: string; column: string }[]): string[] {
  const byTable = new Map<string, string[]>();
  for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.column]);
  return [...byTable].map(([table, cols]) => `${table}: ${cols.join(', ')}`);
}
