import { createHash } from 'node:crypto';
import ZongJi, { type AnyBinlogEvent, type RowData, type UpdateRowData } from '@vlasky/zongji';
import type { RowDataPacket } from 'mysql2';
import { CrmError } from '../../core/errors/index.js';
import type { Value } from '../../core/types.js';
import type { ChangeEvent, ChangeFeed, ChangeFeedOptions, ChangeFeedStatus, ChangeTransaction } from '../contract.js';
import { AsyncQueue } from '../shared/async-queue.js';
import { translateMysqlError } from './mysql-errors.js';
import { certificateMismatch, type MysqlPool, type MysqlTarget } from './mysql-pool.js';
import { keyParams } from './mysql-reader.js';
import type { SchemaCache } from './mysql-schema-cache.js';
import { keyInList, nativeName, quoteId } from './mysql-sql.js';

/** Transactions held between the binlog socket and the consumer before the socket is paused. */
const QUEUE_CAPACITY = 256;
/** Keys per locking read of `visible`. */
const KEYS_PER_BARRIER = 500;

/** A binlog coordinate `binlog.000012:4711`: the position right after a transaction's commit event. */
interface Coordinate {
  readonly file: string;
  readonly pos: number;
}

function parsePosition(position: string): Coordinate {
  const at = position.lastIndexOf(':');
  return { file: position.slice(0, at), pos: Number(position.slice(at + 1)) };
}

/** Binlog files are numbered `<base>.000001`, `.000002`, …: the number orders them. */
function fileNumber(file: string): number {
  return Number(/\.(\d+)$/.exec(file)?.[1] ?? 0);
}

/**
 * MySQL / MariaDB binlog change capture with @vlasky/zongji (ROW events with full row images).
 * Positions are file:offset coordinates taken at transaction boundaries (the end of the Xid or
 * COMMIT event), so a resumed stream never starts inside a transaction. The binlog needs no
 * acknowledgement: the caller's durable checkpoint is the only record of progress, and the
 * server keeps binlogs by its own expiry settings (a purged file fails the resume loudly).
 */
export class MysqlChangeFeed implements ChangeFeed {
  private zongji: ZongJi | undefined;

  constructor(
    private readonly pool: MysqlPool,
    private readonly target: MysqlTarget,
    private readonly schemas: SchemaCache,
    private readonly options: ChangeFeedOptions,
  ) {}

  async prepare(): Promise<{ position: string; created: boolean }> {
    const [settings] = await this.query('SELECT @@log_bin AS log_bin, @@binlog_format AS format, @@binlog_row_image AS image');
    if (
      Number(settings.log_bin) !== 1 ||
      String(settings.format).toUpperCase() !== 'ROW' ||
      String(settings.image).toUpperCase() !== 'FULL'
    ) {
      throw new CrmError(
        'CRM_N2006',
        `log-based sync needs log_bin=ON, binlog_format=ROW and binlog_row_image=FULL (the server has log_bin=${settings.log_bin}, binlog_format=${settings.format}, binlog_row_image=${settings.image}); or run \`crmbridge sync --mode poll\` (an updatedAt column) or \`--mode snapshot\`, which need no log`,
        { location: { connector: 'mysql' } },
      );
    }
    return { position: (await this.status()).head, created: false };
  }

  async *transactions(from: string, options: { until?: string; signal?: AbortSignal } = {}): AsyncGenerator<ChangeTransaction> {
    const { until, signal } = options;
    if (until && this.compare(from, until) >= 0) return;
    // Stored name → the name the table is followed by (over 64 bytes it is stored shortened), and its key.
    const keys = new Map<string, { readonly table: string; readonly key: readonly string[] }>();
    for (const t of this.options.tables) keys.set(nativeName(t), { table: t, key: (await this.schemas.get(t)).primaryKey });
    const start = parsePosition(from);
    const zongji = new ZongJi({
      host: this.target.options.host,
      port: this.target.options.port,
      user: this.target.options.user,
      password: this.target.options.password,
      // A copy: mysql2 caches TLS sessions per settings object, and these connections are checked here.
      ...(typeof this.target.options.ssl === 'object' ? { ssl: { ...this.target.options.ssl } } : {}),
    });
    this.zongji = zongji;
    const queue = new AsyncQueue<ChangeTransaction | Coordinate>(QUEUE_CAPACITY, () => zongji.connection?.resume());
    let file = start.file;
    let open: ChangeEvent[] = [];
    const commit = (pos: number, timestamp: number, txId: string | undefined) => {
      const position = `${file}:${pos}`;
      const commitTime = new Date(timestamp).toISOString();
      const changes = open.map((c) => ({ ...c, position, commitTime, ...(txId ? { txId } : {}) }));
      open = [];
      queue.push({ changes, position, commitTime, ...(txId ? { txId } : {}) });
      if (queue.isFull) zongji.connection?.pause();
    };
    // Events arrive in binlog order; every one moves the coordinate, so `until` is recognised
    // even when the last transactions before it touched only tables we do not follow.
    let checkIdentityOf = this.target.checkIdentityOf;
    zongji.on('binlog', (event: AnyBinlogEvent) => {
      // verify-full to an IP address: mysql2 checked the chain only (see mysql-pool); the
      // address is checked here, before the first event is used.
      if (checkIdentityOf !== undefined) {
        const mismatch =
          certificateMismatch(zongji.ctrlConnection, checkIdentityOf) ?? certificateMismatch(zongji.connection, checkIdentityOf);
        checkIdentityOf = undefined;
        if (mismatch) return queue.fail(translateMysqlError(mismatch));
      }
      const name = event.getEventName();
      if (name === 'rotate') {
        file = (event as Extract<AnyBinlogEvent, { getEventName(): 'rotate' }>).binlogName;
        return;
      }
      if (name === 'writerows' || name === 'updaterows' || name === 'deleterows') {
        open.push(...rowEvents(event, keys));
        return;
      }
      if (name === 'xid') return commit(event.nextPosition, event.timestamp, event.gtid);
      if (name === 'query') {
        const sql = (event as Extract<AnyBinlogEvent, { getEventName(): 'query' }>).query.trim().toUpperCase();
        // COMMIT ends a transaction on non-transactional tables; BEGIN and DDL only move the coordinate.
        if (sql === 'COMMIT') return commit(event.nextPosition, event.timestamp, event.gtid);
      }
      if (open.length === 0 && event.nextPosition > 0) queue.push({ file, pos: event.nextPosition });
    });
    zongji.on('error', (err: Error) => queue.fail(translateMysqlError(err)));
    const onAbort = () => queue.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    let reached = from;
    try {
      zongji.start({
        serverId: serverIdOf(this.options.name),
        filename: start.file,
        position: start.pos,
        includeSchema: { [this.pool.database]: [...keys.keys()] },
      });
      for await (const item of queue) {
        if ('changes' in item) {
          // Empty transactions (other tables) only move the coordinate.
          if (item.changes.length > 0) yield item;
          reached = item.position;
        } else {
          const at = `${item.file}:${item.pos}`;
          if (this.compare(at, reached) > 0) reached = at;
        }
        if (until && this.compare(reached, until) >= 0) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.zongji = undefined;
      zongji.stop();
    }
  }

  /**
   * The binlog is written before InnoDB commits (two-phase commit: engine prepare, binlog write,
   * engine commit), so a transaction can arrive before other sessions see it. A locking read of
   * the rows it changed waits for the row locks it still holds, and InnoDB releases them only
   * after the commit made it visible to new reads.
   */
  async visible(transactions: readonly ChangeTransaction[]): Promise<void> {
    const keys = new Map<string, Map<string, readonly Value[]>>();
    for (const { changes } of transactions) {
      for (const c of changes) {
        const table = keys.get(c.table) ?? new Map<string, readonly Value[]>();
        table.set(JSON.stringify(c.key.map(String)), c.key);
        keys.set(c.table, table);
      }
    }
    for (const [native, byKey] of keys) {
      const name = this.options.tables.find((t) => nativeName(t) === native) ?? native;
      const schema = await this.schemas.get(name);
      const keyCols = schema.primaryKey.map((k) => schema.columns.find((c) => c.name === k)!);
      const all = [...byKey.values()];
      for (let i = 0; i < all.length; i += KEYS_PER_BARRIER) {
        const chunk = all.slice(i, i + KEYS_PER_BARRIER);
        const sql = `SELECT 1 FROM ${quoteId(schema.name)} WHERE ${keyInList(schema.primaryKey, chunk.length)} LOCK IN SHARE MODE`;
        try {
          // In a transaction of its own: under autocommit InnoDB may skip a locking clause.
          await this.pool.withSession(async (session) => {
            await session.sql.query('START TRANSACTION');
            try {
              await session.sql.query(sql, keyParams(keyCols, chunk));
            } finally {
              await session.sql.query('COMMIT');
            }
          });
        } catch (err) {
          const translated = translateMysqlError(err, { table: name });
          if (translated.code !== 'CRM_N2004') throw translated;
          // MySQL 8.0.22+ allows locking reads only with LOCK TABLES, UPDATE or DELETE besides SELECT.
          throw new CrmError(
            'CRM_N2004',
            `sync waits for each change's commit with a locking read of the changed rows (SELECT … LOCK IN SHARE MODE), which this server refuses to the sync user: GRANT LOCK TABLES ON \`${this.pool.database}\`.* to it (${translated.message})`,
            { location: { connector: 'mysql', table: name }, cause: err },
          );
        }
      }
    }
  }

  /** Nothing to tell the server: binlog retention is the server's own (see the class comment). */
  async acknowledge(_position: string): Promise<void> {}

  compare(a: string, b: string): number {
    const x = parsePosition(a);
    const y = parsePosition(b);
    return fileNumber(x.file) - fileNumber(y.file) || x.pos - y.pos;
  }

  async status(): Promise<ChangeFeedStatus> {
    const rows = await this.query('SHOW MASTER STATUS').catch(() => this.query('SHOW BINARY LOG STATUS'));
    if (rows.length === 0)
      throw new CrmError('CRM_N2006', 'the server has no binary log (start it with log_bin)', { location: { connector: 'mysql' } });
    return { head: `${rows[0].File}:${rows[0].Position}` };
  }

  async drop(): Promise<void> {}

  async close(): Promise<void> {
    this.zongji?.stop();
  }

  private async query(sql: string): Promise<RowDataPacket[]> {
    try {
      return await this.pool.withSession(async (s) => (await s.sql.query<RowDataPacket[]>(sql))[0]);
    } catch (err) {
      throw translateMysqlError(err);
    }
  }
}

/** A replica id of our own per feed name (two binlog clients with one id would evict each other). */
function serverIdOf(name: string): number {
  return 100_000 + (createHash('sha256').update(name).digest().readUInt32BE(0) % 1_000_000_000);
}

function rowEvents(
  event: AnyBinlogEvent,
  keys: ReadonlyMap<string, { readonly table: string; readonly key: readonly string[] }>,
): ChangeEvent[] {
  const rows = (event as { rows?: (RowData | UpdateRowData)[] }).rows ?? [];
  const tableId = (event as { tableId?: number }).tableId;
  const stored =
    tableId === undefined ? undefined : (event as { tableMap: Record<number, { tableName: string }> }).tableMap[tableId]?.tableName;
  const followed = stored === undefined ? undefined : keys.get(stored);
  if (!followed) return [];
  const keyOf = (row: RowData): Value[] => followed.key.map((k) => keyValue(row[k]));
  const base = { table: followed.table, position: '' };
  const name = event.getEventName();
  return rows.flatMap((r): ChangeEvent[] => {
    if (name === 'writerows') return [{ ...base, op: 'insert', key: keyOf(r as RowData), after: r as RowData }];
    if (name === 'deleterows') return [{ ...base, op: 'delete', key: keyOf(r as RowData), before: r as RowData }];
    const { before, after } = r as UpdateRowData;
    const oldKey = keyOf(before);
    const newKey = keyOf(after);
    if (oldKey.map(String).join('\u0000') !== newKey.map(String).join('\u0000')) {
      return [
        { ...base, op: 'delete', key: oldKey, before },
        { ...base, op: 'insert', key: newKey, after },
      ];
    }
    return [{ ...base, op: 'update', key: newKey, before, after }];
  });
}

/** Key values as the reader gives them (text, exact integers): binlog numbers above 2^53 arrive as strings. */
function keyValue(raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'bigint') return raw;
  if (raw instanceof Uint8Array) return raw;
  return String(raw);
}
