import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { CrmError } from '../../core/errors/index.js';
import { parseProject } from '../../mapping/project/load-project.js';
import { runAction } from '../run-action.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write a commented starter crmbridge.yaml (see also `crmbridge suggest`, which drafts the objects)')
    .argument('<source>', 'connection string of the source')
    .argument('<target>', 'connection string of the target')
    .option('-o, --out <file>', 'the project file to write', 'crmbridge.yaml')
    .option('--force', 'overwrite an existing project file')
    .action(
      runAction(async (source, target, opts) => {
        if (existsSync(opts.out) && !opts.force) throw new CrmError('CRM_C1005', `${opts.out} exists`);
        const text = starterProject(source, target);
        parseProject(text, opts.out); // the starter must load as written
        await writeFile(opts.out, text);
        process.stdout.write(
          `Wrote ${opts.out}. Next: crmbridge analyze ${source}, then crmbridge suggest ${source} --out ${opts.out} --force\n`,
        );
        return 0;
      }),
    );
}

/**
 * A password typed into a URL becomes an `${env:…}` reference: the file is meant to be committed,
 * and the loader refuses literal passwords anyway.
 */
export function withEnvPassword(url: string, variable: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/i, (whole, head: string, password: string, at: string) =>
    /^\$\{env:/.test(password) ? whole : `${head}\${env:${variable}}${at}`,
  );
}

const quote = (text: string): string => JSON.stringify(text);

export function starterProject(source: string, target: string): string {
  return `# crmbridge project file. Reference: \`crmbridge schema\` writes its JSON Schema for editors.
version: 1

source:
  # postgres://user:\${env:SOURCE_PASSWORD}@host:5432/db · mysql://user:\${env:SOURCE_PASSWORD}@host:3306/db
  # sqlite:path/to/file.db · a .csv/.json file or a folder of them. Never write a password here:
  # write \${env:NAME} and export NAME before the run.
  url: ${quote(withEnvPassword(source, 'SOURCE_PASSWORD'))}
  # IANA zone of naive datetimes in the source (SugarCRM stores UTC). Default UTC.
  timeZone: UTC

target:
  url: ${quote(withEnvPassword(target, 'TARGET_PASSWORD'))}

options:
  # Rows read, mapped and written per transaction (default 2000).
  batchSize: 2000
  # Objects loaded at once; default: the number of CPU cores.
  # parallelism: 4
  # Stop the run after this many rejected rows, or this share of the rows read (default: never).
  # maxErrors: 1000
  # maxErrorRatio: 0.05
  # Country of phone numbers written without a country code (for the phone transform).
  # defaultCountry: US
  # Locale of formatted numbers and money in the source (default en-US).
  # locale: en-US

objects:
  # One object per thing to load: where it comes from, where it goes, and its fields.
  # An example; \`crmbridge suggest\` drafts the real ones from an analysis of the source.
  companies:
    source:
      table: accounts
      key: id
      filter: deleted = 0 # rows left out are counted as filtered, not lost
    target:
      table: companies
      key: id
      generateKey: none # or uuid: a stable UUID derived from the source key
    mode: upsert # insert | upsert | update
    fields:
      id: id
      name: name
      primary_phone:
        from: phone_office
        transform: [{ phone: { on_invalid: keep } }]
      created_at:
        from: date_entered
        transform: [timestamp] # read in source.timeZone, written as UTC
`;
}
