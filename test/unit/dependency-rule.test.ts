import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

/**
 * The one-way dependency rule, checked on every import in src/:
 * core ← connectors / schema / mapping / state / sample ← engine ← cli / server.
 * A connector imports no other connector; only cli/, server/ and index.ts open connectors by URL.
 */
const SRC = resolve(import.meta.dirname, '../../src');

const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  connectors: ['core', 'connectors'],
  schema: ['core', 'schema', 'connectors/contract'],
  mapping: ['core', 'schema', 'mapping', 'connectors/contract'],
  state: ['core', 'state'],
  sample: ['core', 'sample', 'connectors/contract'],
  engine: ['core', 'schema', 'mapping', 'state', 'engine', 'connectors/contract', 'connectors/shared'],
  cli: ['core', 'connectors', 'schema', 'mapping', 'state', 'sample', 'engine', 'cli'],
  server: ['core', 'connectors', 'schema', 'mapping', 'state', 'sample', 'engine', 'server'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, ''));
}

/** 'connectors/postgres/postgres-writer' → layer 'connectors', connector 'postgres'. */
function allowed(fromFile: string, target: string): boolean {
  const [layer, sub] = fromFile.split('/');
  if (layer === 'index.ts' || fromFile === 'index') return true;
  if (target === 'connectors/registry' && !['cli', 'server'].includes(layer)) return false;
  if (layer === 'connectors' && target.startsWith('connectors/')) {
    const targetSub = target.split('/')[1];
    const shared = ['contract', 'shared', 'connection-string', 'registry'];
    return sub === targetSub || shared.includes(targetSub) || shared.includes(sub.replace(/\.ts$/, ''));
  }
  return (ALLOWED[layer] ?? []).some((p) => target === p || target.startsWith(`${p}/`));
}

it('every import in src/ follows the one-way dependency rule', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    for (const target of importsOf(file)) if (!allowed(from, target)) violations.push(`${from} → ${target}`);
  }
  expect(violations).toEqual([]);
});

it('the rule check itself catches a violation', () => {
  expect(allowed('core/types.ts', 'engine/migrate')).toBe(false);
  expect(allowed('connectors/postgres/postgres-writer.ts', 'connectors/mysql/mysql-types')).toBe(false);
  expect(allowed('engine/migrate.ts', 'connectors/registry')).toBe(false);
  expect(allowed('engine/migrate.ts', 'connectors/contract')).toBe(true);
});
