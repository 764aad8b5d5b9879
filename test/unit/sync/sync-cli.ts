import { Command } from '@commander-js/extra-typings';
import { registerSync } from '../../../src/cli/commands/sync-command.js';

/**
 * The sync command as the CLI runs it, for tests that kill and restart it as a child process
 * (the same registration `src/cli/main.ts` makes, without the other commands).
 */
const program = new Command('crmbridge').showHelpAfterError();
registerSync(program);
await program.parseAsync(process.argv);
