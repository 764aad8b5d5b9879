/**
 * The deterministic sample legacy CRM (SugarCRM/SuiteCRM style) that drives the demo, the tests
 * and the benchmarks: same seed and size → identical data; streams at any size; realistic dirt,
 * planted and counted in a manifest.
 */

export { ADMIN_USER_ID, DEFAULT_CURRENCY_ID } from './crm-plan.js';
export { type CsvExportResult, writeLegacyCrmCsvExport } from './csv-export.js';
export { EXPORT_MODULES } from './csv-modules.js';
export { CURRENCIES } from './currencies.js';
export { beanSizes, type LegacyCrmCounts, type LegacyTable } from './legacy-counts.js';
export { generateLegacyCrm, type LegacyCrmOptions, type LegacyCrmSample, legacyCrmSchema } from './legacy-crm.js';
export { LEGACY_TABLE_NAMES } from './legacy-tables.js';
export { EMAIL_VARIANTS, type LegacyCrmManifest, NAME_VARIANTS, type NameVariant, PHONE_FORMATS, type PhoneFormat } from './manifest.js';
export { EMAIL_MODULES, LEGACY_PICKLISTS, OFF_LIST_VALUES, PARENT_TYPES } from './picklists.js';
export { type WriteLegacyCrmOptions, writeLegacyCrm } from './write-legacy-crm.js';
