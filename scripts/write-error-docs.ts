import { writeFileSync } from 'node:fs';
import { errorCatalogMarkdown } from '../src/core/errors/error-docs.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), errorCatalogMarkdown());
