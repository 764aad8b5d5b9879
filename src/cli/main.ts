#!/usr/bin/env node
import { Command } from '@commander-js/extra-typings';
import { registerAnalyze } from './commands/analyze-command.js';
import { registerSchema } from './commands/schema-command.js';

/** The `crmbridge` command: one file per verb under commands/, each thin over the library. */
const program = new Command('crmbridge')
  .description('Move CRM data between systems, prove nothing was lost, keep both consistent.')
  .version('0.1.0')
  .showHelpAfterError();

registerAnalyze(program);
registerSchema(program);

await program.parseAsync(process.argv);
