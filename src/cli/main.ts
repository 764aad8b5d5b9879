#!/usr/bin/env node
import { Command } from '@commander-js/extra-typings';
import { registerAnalyze } from './commands/analyze-command.js';
import { registerConflicts } from './commands/conflicts-command.js';
import { registerDemo } from './commands/demo-command.js';
import { registerDesign } from './commands/design-command.js';
import { registerDiff } from './commands/diff-command.js';
import { registerInit } from './commands/init-command.js';
import { registerMigrate } from './commands/migrate-command.js';
import { registerPlan } from './commands/plan-command.js';
import { registerRejects } from './commands/rejects-command.js';
import { registerRepair } from './commands/repair-command.js';
import { registerRollback } from './commands/rollback-command.js';
import { registerRuns } from './commands/runs-command.js';
import { registerSample } from './commands/sample-command.js';
import { registerSchema } from './commands/schema-command.js';
import { registerSuggest } from './commands/suggest-command.js';
import { registerSync } from './commands/sync-command.js';
import { registerVerify } from './commands/verify-command.js';

/** The `crmbridge` command: one file per verb under commands/, each thin over the library. */
const program = new Command('crmbridge')
  .description('Move CRM data between systems, prove nothing was lost, keep both consistent.')
  .version('0.1.0')
  .showHelpAfterError();

registerAnalyze(program);
registerSchema(program);
registerSample(program);
registerDemo(program);
registerInit(program);
registerSuggest(program);
registerDesign(program);
registerPlan(program);
registerMigrate(program);
registerRuns(program);
registerRejects(program);
registerRollback(program);
registerVerify(program);
registerRepair(program);
registerDiff(program);
registerSync(program);
registerConflicts(program);

await program.parseAsync(process.argv);
