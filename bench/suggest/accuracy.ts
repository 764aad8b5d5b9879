import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openConnector } from '../../src/connectors/registry.js';
import { MODERN_CRM } from '../../src/mapping/models/modern-crm.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { renderSuggestion } from '../../src/mapping/suggest/render-suggestion.js';
import { DEFAULT_THRESHOLD, suggestMapping } from '../../src/mapping/suggest/suggest-mapping.js';
import type { Analysis } from '../../src/schema/analysis-types.js';
import { analyze } from '../../src/schema/analyze.js';
import { type Accuracy, accuracy, fieldPairs } from './field-pairs.js';
import { analyseLegacySample } from './legacy-analysis.js';

/**
 * Suggest's accuracy against hand-written gold mappings, as field-pair precision and recall:
 * (a) the generated legacy CRM → the modern model vs examples/legacy-to-modern/crmbridge.yaml;
 * (b) a Salesforce standard-object export (bench/suggest/fixtures/salesforce) → the modern model
 *     vs its crmbridge.gold.yaml. Only accepted suggestions count (the commented-out ones are
 *     not in the parsed file). Run: npx tsx bench/suggest/accuracy.ts [--verbose]
 */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function measure(name: string, analysis: Analysis, goldFile: string): Promise<Accuracy> {
  const report = suggestMapping(analysis, { model: MODERN_CRM });
  const text = renderSuggestion(report, {
    sourceUrl: 'sqlite:legacy.db',
    targetUrl: 'sqlite:modern.db',
    targetLabel: name,
    threshold: DEFAULT_THRESHOLD,
  });
  const suggested = parseProject(text, `${name}.yaml`);
  compilePlan(suggested); // the draft must compile as written
  const gold = parseProject(readFileSync(goldFile, 'utf8'), goldFile);
  return accuracy(fieldPairs(suggested), fieldPairs(gold));
}

async function salesforceAnalysis(): Promise<Analysis> {
  const connector = await openConnector(here('./fixtures/salesforce'));
  try {
    return await analyze(connector);
  } finally {
    await connector.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const verbose = process.argv.includes('--verbose');
  const runs: [string, () => Promise<Analysis>, string][] = [
    ['legacy sample (2,000 contacts) → modern', () => analyseLegacySample(2000), here('../../examples/legacy-to-modern/crmbridge.yaml')],
    ['Salesforce export → modern', salesforceAnalysis, here('./fixtures/salesforce/crmbridge.gold.yaml')],
  ];
  for (const [name, analysis, gold] of runs) {
    const a = await measure(name, await analysis(), gold);
    process.stdout.write(
      `${name}: precision ${a.precision.toFixed(3)} (${a.correct}/${a.suggested}), recall ${a.recall.toFixed(3)} (${a.correct}/${a.gold})\n`,
    );
    if (verbose)
      for (const [label, list] of [
        ['wrong', a.wrong],
        ['missed', a.missed],
      ] as const)
        for (const p of list) process.stdout.write(`  ${label}: ${p}\n`);
  }
}
