import { ERROR_CODES } from './codes.js';

/** `docs/errors.md`, generated from the catalog so the two never disagree (`npm run docs:errors`). */
export function errorCatalogMarkdown(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.title} | ${e.fix} |`);
  return `# Error codes

Every error crmbridge reports has a code from this catalog, a one-line message, where it happened
(connector, table, column, key, file:line) and what to do. Row-level codes (\`CRM_R4xxx\`) become
rejects with a reason; the run goes on. Generated from \`src/core/errors/codes.ts\`.

| code | what | what to do |
|---|---|---|
${rows.join('\n')}
`;
}
