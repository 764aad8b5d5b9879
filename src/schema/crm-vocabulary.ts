/**
 * Column-naming conventions of CRMs (SugarCRM/SuiteCRM, vtiger, home-grown schemas), as data.
 * All names are lower case; compare with `column.name.toLowerCase()`.
 */

/** Columns that reference the users table (owner and audit trail). */
export const USER_REFERENCE_COLUMNS: ReadonlySet<string> = new Set([
  'assigned_user_id',
  'created_by',
  'created_by_id',
  'modified_user_id',
  'modified_by',
  'modified_by_id',
  'owner_id',
  'owner_user_id',
]);

/** Table names the users table goes by. */
export const USER_TABLES: readonly string[] = ['users', 'user', 'crm_users', 'employees'];

/** Columns that reference a row of the same table (hierarchies), unless a type column makes them polymorphic. */
export const SELF_REFERENCE_COLUMNS: ReadonlySet<string> = new Set([
  'parent_id',
  'reports_to_id',
  'manager_id',
  'master_id',
  'member_of_id',
]);

/** Suffixes of the type column that goes with `<prefix>_id` in a polymorphic pair (`parent_type`, `bean_module`). */
export const POLYMORPHIC_TYPE_SUFFIXES: readonly string[] = ['type', 'module', 'model', 'table', 'class', 'kind', 'object'];

/**
 * Polymorphic pairs whose type column does not share the id column's prefix: Odoo's
 * `mail_message(model, res_id)` and `ir_attachment(res_model, res_id)`, the model being the table
 * name written with dots (`crm.lead`).
 */
export const POLYMORPHIC_TYPE_COLUMNS_BY_ID: Readonly<Record<string, readonly string[]>> = { res_id: ['res_model', 'model'] };

/** Custom-field side tables: `<base>_cstm` keyed by `id_c` → `<base>.id`. */
export const CUSTOM_TABLE_SUFFIX = '_cstm';
export const CUSTOM_TABLE_KEY = 'id_c';

/** Bookkeeping columns that do not make a table more than a link between two others. */
export const HOUSEKEEPING_COLUMNS: ReadonlySet<string> = new Set([
  'id',
  'deleted',
  'date_entered',
  'date_modified',
  'date_created',
  'created_at',
  'updated_at',
  'modified_at',
  'created_on',
  'modified_on',
  'version',
  'row_version',
  ...USER_REFERENCE_COLUMNS,
]);
