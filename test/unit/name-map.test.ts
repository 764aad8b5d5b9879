import { describe, expect, it } from 'vitest';
import { logicalSchema, shortenIdentifier } from '../../src/core/identifiers.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { identifierProblems, targetView } from '../../src/mapping/plan/name-map.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { column, table, textColumn } from '../helpers/schema-builders.js';

const LONG = `${'custom_field_from_the_legacy_crm_'.repeat(3)}a`;
const plan = (fields: string) =>
  compilePlan(
    parseProject(
      `source: { url: "sqlite:a.db" }\ntarget: { url: "sqlite:b.db" }\nobjects:\n  things:\n    source: { table: src, key: id }\n    target: { table: things, key: id }\n    fields:\n      id: id\n${fields}`,
      'p.yaml',
    ),
  );

describe('the name map', () => {
  it('shortens by UTF-8 bytes, never cutting a character, the same way every time', () => {
    const name = 'ü'.repeat(40); // 40 characters, 80 bytes
    const short = shortenIdentifier(name, 63);
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(63);
    expect(short).toMatch(/^ü+_[0-9a-f]{8}$/);
    expect(shortenIdentifier(name, 63)).toBe(short);
    expect(shortenIdentifier('short', 63)).toBe('short');
  });

  it('shows the introspected target under the logical names, in keys, indexes and foreign keys too', () => {
    const stored = shortenIdentifier(LONG, 63);
    const schema = {
      tables: [
        table('things', [column('id', { kind: 'integer' }), textColumn(stored)], {
          uniqueKeys: [[stored]],
          indexes: [{ name: 'i', columns: [stored], unique: false }],
          foreignKeys: [{ columns: [stored], referencedTable: 'things', referencedColumns: [stored] }],
        }),
      ],
    };
    const view = logicalSchema(schema, new Map([['things', ['id', LONG]]]), 63).tables[0];
    expect(view.columns.map((c) => c.name)).toEqual(['id', LONG]);
    expect(view.uniqueKeys).toEqual([[LONG]]);
    expect(view.indexes[0].columns).toEqual([LONG]);
    expect(view.foreignKeys[0]).toMatchObject({ columns: [LONG], referencedColumns: [LONG] });
    const p = plan(`      ${LONG}: name\n`);
    expect(targetView(p, schema, 63).tables[0].columns.map((c) => c.name)).toEqual(['id', LONG]);
    // Without a limit (SQLite, files) nothing is renamed.
    expect(targetView(p, schema, Number.POSITIVE_INFINITY)).toBe(schema);
  });

  it('warns of shortened names and refuses two names that would share one identifier (CRM_M5011)', () => {
    const ok = identifierProblems(plan(`      ${LONG}: name\n`), 63);
    expect(ok).toEqual([expect.objectContaining({ severity: 'warning', code: 'CRM_M5012' })]);
    expect(ok[0].message).toContain(shortenIdentifier(LONG, 63));
    // A short name spelled as another's shortened form would land on the same column.
    const clash = identifierProblems(plan(`      ${LONG}: name\n      ${shortenIdentifier(LONG, 63)}: other\n`), 63);
    expect(clash).toContainEqual(expect.objectContaining({ severity: 'error', code: 'CRM_M5011' }));
    expect(identifierProblems(plan(`      ${LONG}: name\n`), Number.POSITIVE_INFINITY)).toEqual([]);
  });
});
