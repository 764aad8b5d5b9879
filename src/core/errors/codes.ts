/**
 * The one catalog of user-facing error codes. Each entry says what went wrong and what to do;
 * `docs/errors.md` lists them. Ranges:
 * - CRM_C1xxx configuration and connection strings
 * - CRM_N2xxx connecting to and talking with a source or target
 * - CRM_S3xxx schema and types
 * - CRM_R4xxx row-level problems (these become rejects, not run failures)
 * - CRM_M5xxx mapping file and plan
 * - CRM_E6xxx engine: runs, state, ledger
 * - CRM_X9xxx internal (a bug in crmbridge: please report)
 */
export const ERROR_CODES = {
  // configuration
  CRM_C1001: {
    title: 'Unrecognised connection string',
    fix: 'Use postgres://…, mysql://…, sqlite:path, or a path to a .csv/.json/.ndjson file or folder.',
  },
  CRM_C1002: {
    title: 'Environment variable not set',
    fix: 'Export the variable named in the ${env:NAME} reference, or put the value in the project file.',
  },
  CRM_C1003: { title: 'Invalid option', fix: 'Check the option against `crmbridge <command> --help`.' },
  CRM_C1004: { title: 'File or folder not found', fix: 'Check the path; relative paths are resolved from the current directory.' },
  CRM_C1005: { title: 'File already exists', fix: 'Pass --force to overwrite it, or write to another file with --out.' },
  // connection
  CRM_N2001: { title: 'Server unreachable', fix: 'Check host and port, and that the server is running and accepts connections from here.' },
  CRM_N2002: { title: 'Authentication failed', fix: 'Check the user name and password (prefer ${env:NAME} references for secrets).' },
  CRM_N2003: { title: 'Database not found', fix: 'Check the database name in the connection string, or create the database.' },
  CRM_N2004: { title: 'Permission denied', fix: 'Grant the user the needed privileges, or connect as a user who has them.' },
  CRM_N2005: { title: 'Query failed', fix: 'Read the server message; check that the server version and settings are supported.' },
  CRM_N2006: { title: 'Operation not supported by this connector', fix: 'Use a connector that supports it (see `crmbridge --help`).' },
  CRM_N2007: {
    title: 'Server certificate refused',
    fix: 'Name the CA that signed the server certificate (sslrootcert=…), and connect by a host name the certificate is issued for.',
  },
  CRM_N2008: {
    title: 'Server does not offer encryption',
    fix: 'Turn TLS on in the server, or (on a trusted network only) connect with sslmode=disable.',
  },
  // schema and types
  CRM_S3001: { title: 'Table not found', fix: 'Check the table name (run `crmbridge analyze` to list tables).' },
  CRM_S3002: { title: 'Column not found', fix: 'Check the column name (run `crmbridge analyze` to list columns).' },
  CRM_S3003: { title: 'Unsupported native type', fix: 'Cast the column in a view or declare its type in the mapping.' },
  CRM_S3004: { title: 'Table has no key', fix: 'Declare a key for this object in the mapping (key: [col, …]).' },
  CRM_S3008: {
    title: 'Target rule not predicted by the dry run',
    fix: 'Triggers and rules crmbridge cannot evaluate run only in a real run: expect its counts to differ where they act.',
  },
  CRM_S3005: {
    title: 'Column type with no canonical form',
    fix: 'Map it to a column of the same type in the same kind of database, declare type: text (or binary) on the field, or leave it unmapped.',
  },
  CRM_S3006: {
    title: 'Generated column mapped as a target',
    fix: 'Remove the field from the mapping: the database computes this column (generated, or identity GENERATED ALWAYS).',
  },
  // row-level (rejects)
  CRM_R4001: { title: 'Malformed CSV record', fix: 'Fix the record in the file (quotes, column count) or leave it to the rejects.' },
  CRM_R4002: {
    title: 'Invalid text encoding',
    fix: 'Declare the encoding (a file’s encoding: windows-1252; a MySQL column’s in the source option charsets) or fix the bytes.',
  },
  CRM_R4003: { title: 'Value does not fit the type', fix: 'Map the value with a transform, or widen the target column.' },
  CRM_R4004: { title: 'Malformed JSON record', fix: 'Fix the record in the file or leave it to the rejects.' },
  CRM_R4005: {
    title: 'Value too long for the target column',
    fix: 'Widen the target column or map the value with an explicit truncate transform.',
  },
  CRM_R4006: { title: 'Numeric value out of range', fix: 'Widen the target column precision or fix the value.' },
  CRM_R4007: { title: 'Required value missing', fix: 'Map a default or fix the source row.' },
  CRM_R4008: { title: 'Duplicate key', fix: 'Deduplicate the source, or change the object key in the mapping.' },
  CRM_R4009: { title: 'Referenced row missing', fix: 'Load the parent first, or map the reference as optional (on_missing: null).' },
  CRM_R4010: { title: 'Transform failed', fix: 'Fix the value or the transform in the mapping.' },
  CRM_R4011: { title: 'Value not in the picklist map', fix: 'Add the value to the map in the mapping, or declare a default.' },
  CRM_R4012: { title: 'Parent row was rejected', fix: 'Fix the parent row first; this row follows it.' },
  CRM_R4013: { title: 'Target rejected the row', fix: 'Read the target message; fix the value or the target constraint.' },
  CRM_R4014: {
    title: 'Lookup matches several rows',
    fix: 'Make the match unique, add an orderBy on a unique column or onAmbiguous: { firstBy: … }, or declare onAmbiguous: null.',
  },
  CRM_R4017: {
    title: 'Zero date rejected',
    fix: 'Declare what zero dates become: zeroDate: null or a date on the field, or in the source options; or fix the row.',
  },
  CRM_R4015: {
    title: 'Source key repeated with different values',
    fix: "Correct the source rows, or declare `duplicates: first` or `merge` on the object's source in crmbridge.yaml.",
  },
  CRM_R4016: {
    title: 'Repeated source key: another row of the key was loaded',
    fix: 'Nothing to do if the first row is right (`duplicates: first`); otherwise correct the source rows.',
  },
  // mapping and plan
  CRM_M5001: {
    title: 'Invalid project file',
    fix: 'Fix the value at the place named; `crmbridge schema` gives the JSON Schema for editors.',
  },
  CRM_M5002: { title: 'Mapped source column missing', fix: 'Correct the column name in the mapping or re-run `crmbridge analyze`.' },
  CRM_M5003: { title: 'Required target field unmapped', fix: 'Map a source field or a default to it.' },
  CRM_M5004: {
    title: 'Reference cycle cannot be broken',
    fix: 'Make one reference in the cycle nullable so it can load in a second pass.',
  },
  CRM_M5005: { title: 'Incompatible types', fix: 'Add a transform that converts the value.' },
  CRM_M5006: { title: 'Unknown transform', fix: 'Check the transform name against the README list, or load a custom module.' },
  CRM_M5007: { title: 'Unknown object', fix: 'Check the object name referenced (ref: <object>).' },
  CRM_M5008: { title: 'Picklist value without a mapping', fix: 'Add every listed source value to the map, or declare a default.' },
  CRM_M5009: {
    title: 'A reference needs one value',
    fix: 'Use lookup pick: first (several matches are then rejected as ambiguous_reference), or drop the ref.',
  },
  CRM_M5010: {
    title: 'Lookup matches on a non-unique value',
    fix: 'Match on a unique column, add an orderBy on a unique column or onAmbiguous: { firstBy: … }, or accept the listed rejects.',
  },
  CRM_M5011: {
    title: 'Target names share one identifier',
    fix: 'Rename one of the target tables or columns so that their first bytes differ within the target identifier limit.',
  },
  CRM_M5012: {
    title: 'Target name longer than the identifier limit',
    fix: 'Nothing to do: it is stored under the shortened identifier shown, and crmbridge finds it there; rename it for a readable name.',
  },
  CRM_M5015: {
    title: 'Project file runs code',
    fix: 'Review the custom module (a project file runs its code, like a Makefile); drop --no-custom to allow it.',
  },
  CRM_M5016: {
    title: 'Source filter invalid',
    fix: "Correct the object's source.filter: it is SQL in the source's dialect (e.g. deleted = false on a PostgreSQL boolean).",
  },
  // engine
  CRM_E6001: {
    title: 'Run incomplete: ledger does not balance',
    fix: 'Read the ledger per object; this is a bug if no reject explains it, please report.',
  },
  CRM_E6002: { title: 'Error threshold reached', fix: 'Inspect `crmbridge rejects`, fix the mapping, then `crmbridge migrate --resume`.' },
  CRM_E6003: { title: 'Run not found', fix: 'List runs with `crmbridge runs`.' },
  CRM_E6004: { title: 'State store error', fix: 'Check that the .crmbridge folder is writable and not used by another process.' },
  CRM_E6005: { title: 'Rows changed since the run', fix: 'Review the listed rows; use --force to overwrite them.' },
  CRM_E6006: { title: 'Interrupted', fix: 'Resume with --resume.' },
  CRM_E6007: {
    title: 'Worker out of memory',
    fix: 'Lower options.batchSize or raise options.workerMemoryMb in crmbridge.yaml, then `crmbridge migrate --resume`.',
  },
  CRM_E6013: {
    title: 'Row created in the target cannot pass the object filter',
    fix: "It stays in the target only: map the filter's columns (or make the filter a conjunction of column = value conditions), then edit the row again.",
  },
  CRM_E6015: {
    title: 'Row kept by rollback',
    fix: 'The row was changed after the run, or rows the run did not create still reference it: review it (`crmbridge rejects <rollback run>`); --force overwrites changed rows.',
  },
  CRM_E6016: { title: 'Run cannot be rolled back', fix: 'Roll back the migrate, repair or sync run itself (see `crmbridge runs`).' },
  CRM_E6018: {
    title: 'Project busy',
    fix: 'Wait for the named command to end (or stop it); a lock left by a process that died is taken over by itself.',
  },
  CRM_E6019: {
    title: 'Target busy',
    fix: 'Another crmbridge command (another project) writes to this target; wait for it to end, or use another target.',
  },
  // internal
  CRM_X9001: { title: 'Internal error', fix: 'This is a bug in crmbridge; please report it with the command you ran.' },
} as const satisfies Record<string, { title: string; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
