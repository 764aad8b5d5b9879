import { writeFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { projectJsonSchema } from '../../mapping/project/load-project.js';
import { runAction } from '../run-action.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Write the JSON Schema of crmbridge.yaml, so editors complete and check the file')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .action(
      runAction(async (opts) => {
        const text = `${JSON.stringify(projectJsonSchema(), null, 2)}\n`;
        if (opts.out) await writeFile(opts.out, text);
        else process.stdout.write(text);
        return 0;
      }),
    );
}
