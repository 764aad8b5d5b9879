import { z } from 'zod';

/**
 * The project file `crmbridge.yaml`, declared once: the zod schema validates it (unknown keys are
 * errors), gives the TypeScript types, and `crmbridge schema` exports it as JSON Schema so that
 * editors complete and check the file.
 */

const connectionString = z
  .string()
  .min(1)
  .describe('Connection string: postgres://…, mysql://…, sqlite:path, or a CSV/JSON file or folder. Secrets only as ${env:NAME}.');

const endpoint = z.strictObject({
  url: connectionString,
  /** File connector options (delimiter, encoding, header, nullMarkers, …). */
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Connector options, e.g. CSV delimiter, encoding, nullMarkers; MySQL zeroDate (null, reject or a date: what zero dates read as) and charsets ({ "table.column": encoding } for bytes not in the declared charset).',
    ),
  timeZone: z.string().optional().describe('IANA zone of naive datetimes in this system (default UTC).'),
});

/** A transform step: a name, or a one-key object `{ name: params }`. Validated by the transform registry at plan time. */
const transformStep = z.union([z.string(), z.record(z.string(), z.unknown())]);

const keyColumns = z.union([z.string(), z.array(z.string()).min(1)]).describe('A column, or several for a composite key.');

const equalityFilter = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

const lookupSchema = z.strictObject({
  table: z.string().describe('The related table, e.g. email_addr_bean_rel.'),
  match: z.string().describe('Column of the related table that holds the source row key (or the `from` value).'),
  where: equalityFilter.optional().describe('Equality filters on the related table, e.g. { bean_module: Contacts, deleted: 0 }.'),
  through: z
    .strictObject({
      table: z.string(),
      match: z.string().describe('Key column of the second table.'),
      from: z.string().describe('Column of the first related table that points at it.'),
      where: equalityFilter.optional(),
    })
    .optional()
    .describe('A second hop, e.g. to email_addresses.'),
  value: z.string().describe('Column whose value is taken.'),
  orderBy: z.string().optional().describe('Column ordering the related rows; prefix with - for descending.'),
  pick: z.enum(['first', 'rest', 'all']).default('first').describe('first → one value; rest/all → a list.'),
  onAmbiguous: z
    .union([
      z.enum(['reject', 'null']),
      z.null().transform(() => 'null' as const),
      z.strictObject({
        firstBy: keyColumns.describe(
          'Columns of the related table (prefix - for descending) that order the tied rows; a tie left there still rejects.',
        ),
      }),
    ])
    .optional()
    .describe(
      'pick first/rest when the first related rows tie (no orderBy, or equal orderBy values) and give different values: reject the row as ambiguous_reference with the candidates listed (reject, the default), keep NULL, or take the first by { firstBy: columns }.',
    ),
});

const referenceSchema = z.strictObject({
  object: z.string().describe('The object whose target key replaces the source key.'),
  when: equalityFilter.optional().describe('Only when these source columns have these values (polymorphic links), else NULL.'),
  onMissing: z
    .union([z.enum(['reject', 'null']), z.null().transform(() => 'null' as const)])
    .default('reject')
    .describe('A reference to a row that does not exist: reject the row, or keep NULL (YAML null works too).'),
});

const fieldSchema = z
  .strictObject({
    from: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe('Source column(s).'),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().describe('A constant instead of a source column.'),
    transform: z.array(transformStep).optional().describe('Transform steps, applied in order.'),
    ref: z.union([z.string(), referenceSchema]).optional().describe('Remap a reference through the target keys of another object.'),
    lookup: lookupSchema.optional(),
    type: z.string().optional().describe('Target canonical type when the target table is designed by crmbridge, e.g. decimal(18,2).'),
    required: z.boolean().optional(),
    zeroDate: z
      .union([z.null(), z.literal('reject'), z.string().regex(/^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)?$/)])
      .optional()
      .describe(
        'What a MySQL zero date (0000-00-00, 2020-00-00) in the source column(s) becomes: null, reject, or a date such as 1970-01-01. Default: the source option zeroDate, else null.',
      ),
  })
  .refine((f) => f.from !== undefined || f.value !== undefined || f.lookup !== undefined, {
    message: 'a field needs `from`, `value` or `lookup`',
  });

/** What to do with source rows that share a key (see docs/02-migrate.md, "Repeated source keys"). */
const duplicatesRule = z
  .enum(['reject', 'first', 'merge'])
  .describe(
    'Rows sharing a source key: identical ones always collapse into one (counted as duplicates). Conflicting ones: reject → all rejected; first → the first row loads, the others are rejected as superseded; merge → each field from the rows that have it, all rejected if two values contradict.',
  );

const objectSchema = z.strictObject({
  source: z.strictObject({
    table: z.string(),
    key: keyColumns,
    duplicates: duplicatesRule.optional().describe('Rows sharing a source key (default: options.duplicates, else reject).'),
    filter: z.string().optional().describe('A source-SQL filter, e.g. "deleted = 0". Filtered rows are counted as filtered.'),
    join: z
      .array(
        z.strictObject({
          table: z.string(),
          on: z.record(z.string(), z.string()).describe('{ joinedColumn: baseColumn }'),
          prefix: z.string().optional().describe('Prefix for the joined columns (default: none).'),
        }),
      )
      .optional()
      .describe('Side tables joined by key (e.g. accounts_cstm on id_c = id); a missing side row gives NULLs.'),
  }),
  target: z.strictObject({
    table: z.string(),
    key: keyColumns,
    generateKey: z.enum(['none', 'uuid']).default('none').describe('uuid: the target key is a UUID derived from the source key.'),
  }),
  mode: z.enum(['insert', 'upsert', 'update']).default('upsert'),
  fields: z.record(z.string(), z.union([z.string(), fieldSchema])).describe('target field: source column, or a field mapping.'),
  sync: z
    .strictObject({
      deletes: z.enum(['delete', 'soft_delete', 'ignore']).default('delete'),
      softDelete: z.strictObject({ source: z.string().optional(), target: z.string().optional() }).optional(),
      conflict: z.enum(['source_wins', 'target_wins', 'newest_wins', 'field_owner']).default('source_wins'),
      updatedAt: z.strictObject({ source: z.string().optional(), target: z.string().optional() }).optional(),
      owners: z.record(z.string(), z.enum(['source', 'target'])).optional(),
    })
    .optional(),
});

export const projectSchema = z.strictObject({
  version: z.literal(1).default(1),
  source: endpoint,
  target: endpoint,
  options: z
    .strictObject({
      // 2,000 rows: as fast as 5,000 on the benchmark (round trips are not what bounds a batch) with
      // ~50 MiB less peak memory over two workers.
      batchSize: z.number().int().positive().default(2000),
      parallelism: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('Worker threads loading objects and key-range chunks of large tables at once (default: number of CPU cores).'),
      workerMemoryMb: z.number().int().min(64).optional().describe('Heap limit of each migrate worker thread in MiB (default 192).'),
      maxErrors: z.number().int().nonnegative().optional(),
      maxErrorRatio: z.number().min(0).max(1).optional(),
      defaultCountry: z.string().length(2).optional().describe('ISO country for phone numbers without a country code.'),
      locale: z.string().optional().describe('Default locale for numbers and money, e.g. en-US, de-DE.'),
      duplicates: duplicatesRule.optional().describe('Default rule for rows sharing a source key (default reject).'),
    })
    .default({ batchSize: 2000 }),
  objects: z.record(z.string(), objectSchema),
});

export type ProjectFile = z.infer<typeof projectSchema>;
export type ObjectSpec = z.infer<typeof objectSchema>;
export type FieldSpec = z.infer<typeof fieldSchema>;
export type LookupSpec = z.infer<typeof lookupSchema>;
export type DuplicatesRule = z.infer<typeof duplicatesRule>;
export type ReferenceSpec = z.infer<typeof referenceSchema>;
