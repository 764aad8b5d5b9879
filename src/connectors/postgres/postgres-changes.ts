import { LogicalReplicationService, type Pgoutput, PgoutputPlugin } from 'pg-logical-replication';
import { CrmError } from '../../core/errors/index.js';
import type { Value } from '../../core/types.js';
import type { ChangeEvent, ChangeFeed, ChangeFeedOptions, ChangeFeedStatus, ChangeTransaction } from '../contract.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { PostgresConfig } from './postgres-config.js';
import type { PostgresDatabase } from './postgres-database.js';
import { toCrmError } from './postgres-errors.js';
import { ident, storedName } from './postgres-identifiers.js';
import { typeParsers } from './postgres-type-parsers.js';
import { completedIn, parseXidSnapshot, type XidSnapshot } from './postgres-xid-snapshot.js';

/** Transactions held between the socket and the consumer before the socket is paused. */
const QUEUE_CAPACITY = 256;
/** How often a `--once` catch-up asks the server where it is while no change arrives. */
const PING_MS = 200;
/** How long to wait for a slot still held by a process that just died (its walsender lingers). */
const SLOT_BUSY_WAIT_MS = 30_000;
/** Longest pause between two looks at whether a delivered transaction is visible yet. */
const VISIBLE_POLL_MAX_MS = 50;

type Item = { readonly tx: ChangeTransaction } | { readonly sentUpTo: string };

/** `16/B374D848` → a number that orders LSNs. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

function lsnText(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * PostgreSQL logical replication with pgoutput: a publication for the mapped tables and a
 * durable, named slot (it survives restarts of both sides and retains WAL until acknowledged).
 *
 * Positions are the end LSN of a transaction's commit record. Acknowledging a position P sets
 * the slot's confirmed_flush_lsn to exactly P: every transaction whose commit record starts
 * before P is then never sent again, and every later one is. (The library adds 1 to what it is
 * given, so it is given P - 1: acknowledging P + 1 could skip a transaction whose commit record
 * starts right at P — the lost-event bug of Debezium #7531.)
 *
 * The library's own periodic acknowledgement is off (`timeoutSeconds: 0`): it would confirm
 * the last LSN RECEIVED, ahead of our durable checkpoint. Keepalives the server asks an answer
 * for are answered with the last durable position only.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly slot: string;
  private readonly publication: string;
  private readonly tables: readonly string[];
  /** Stored name → the name the caller follows the table by (a name over 63 bytes is stored shortened). */
  private readonly asked: ReadonlyMap<string, string>;
  private service: LogicalReplicationService | undefined;
  /** The last position the caller declared durable (answered to keepalives). */
  private confirmed: string | undefined;
  /** The newest snapshot `visible` took: what completed in it has completed in every later one. */
  private snapshot: XidSnapshot | undefined;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly config: PostgresConfig,
    private readonly options: ChangeFeedOptions,
  ) {
    const name = `crmbridge_${options.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
    // Slot names are unique in the whole server, publications per database: two projects whose
    // sources are databases of one server would otherwise take each other's slot.
    this.slot = storedName(`${name}_${config.database.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);
    this.publication = storedName(name);
    this.tables = options.tables.map(storedName);
    this.asked = new Map(options.tables.map((t) => [storedName(t), t]));
  }

  async prepare(): Promise<{ position: string; created: boolean }> {
    const [{ wal_level }] = await this.db.query<{ wal_level: string }>('SHOW wal_level', []);
    if (wal_level !== 'logical') {
      throw new CrmError(
        'CRM_N2006',
        `PostgreSQL runs with wal_level=${wal_level}: log-based sync needs wal_level=logical (set it and restart the server), or run \`crmbridge sync --mode poll\` (an updatedAt column) or \`--mode snapshot\`, which need no log`,
        { location: { connector: 'postgres' } },
      );
    }
    const tables = this.tables.map((t) => this.db.table(t)).join(', ');
    const exists = await this.db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [this.publication]);
    // Inserts, updates and deletes only: a TRUNCATE carries no keys (re-run with --mode snapshot).
    await this.db.execute(
      exists.length > 0
        ? `ALTER PUBLICATION ${ident(this.publication)} SET TABLE ${tables}`
        : `CREATE PUBLICATION ${ident(this.publication)} FOR TABLE ${tables} WITH (publish = 'insert, update, delete')`,
      [],
    );
    for (const table of this.options.fullImageTables ?? []) {
      await this.db.execute(`ALTER TABLE ${this.db.table(table)} REPLICA IDENTITY FULL`, [], table);
    }
    // The publication exists before the slot, so every change the slot retains is published.
    const slot = await this.db.query<{ confirmed: string | null }>(
      'SELECT confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
      [this.slot],
    );
    if (slot.length > 0 && slot[0].confirmed) return { position: lsnText(lsnValue(slot[0].confirmed)), created: false };
    const created = await this.db.query<{ lsn: string }>(
      "SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')",
      [this.slot],
    );
    return { position: lsnText(lsnValue(created[0].lsn)), created: true };
  }

  async *transactions(from: string, options: { until?: string; signal?: AbortSignal } = {}): AsyncGenerator<ChangeTransaction> {
    const { until, signal } = options;
    if (until && this.compare(from, until) >= 0) return;
    this.confirmed ??= from;
    const service = new LogicalReplicationService(
      { connectionString: this.config.pool.connectionString, ssl: this.config.pool.ssl, application_name: 'crmbridge-sync' },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
    );
    this.service = service;
    const stream = () => socketOf(service);
    const queue = new AsyncQueue<Item>(QUEUE_CAPACITY, () => stream()?.resume());
    let open: { changes: ChangeEvent[]; xid: number } | undefined;
    let lastSentUpTo = from;

    // The handlers run synchronously in the order the socket delivered the messages (no flow
    // control queue in the library), so a keepalive is never seen before earlier changes.
    service.on('data', (_lsn: string, message: Pgoutput.Message) => {
      switch (message.tag) {
        case 'relation':
          // Values decode to the canonical JS forms, as everywhere else in the connector.
          for (const c of message.columns) c.parser = (raw: string) => typeParsers.getTypeParser(c.typeOid, 'text')(raw) as Value;
          return;
        case 'begin':
          open = { changes: [], xid: message.xid };
          return;
        case 'insert':
        case 'update':
        case 'delete':
          open?.changes.push(...envelopes(message, this.asked.get(message.relation.name) ?? message.relation.name));
          return;
        case 'commit': {
          if (!open || !message.commitEndLsn) return;
          const commitTime = new Date(Number(message.commitTime.valueOf() / 1000n)).toISOString();
          const position = lsnText(lsnValue(message.commitEndLsn));
          const txId = String(open.xid);
          const changes = open.changes.map((c) => ({ ...c, position, commitTime, txId }));
          open = undefined;
          queue.push({ tx: { changes, position, commitTime, txId } });
          if (queue.isFull) stream()?.pause();
          return;
        }
        default:
          return;
      }
    });
    service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
      if (open === undefined) queue.push({ sentUpTo: lsn });
      if (shouldRespond) void this.answer(service, false);
    });
    service.on('error', (err: Error) => queue.fail(toCrmError(err, this.db.errorContext())));

    const onAbort = () => queue.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    const ping = until
      ? setInterval(() => {
          if (!queue.isFull) void this.answer(service, true);
        }, PING_MS)
      : undefined;
    try {
      await this.subscribe(service, from, (err) => queue.fail(err));
      for await (const item of queue) {
        if ('tx' in item) {
          yield item.tx;
          lastSentUpTo = item.tx.position;
        } else if (this.compare(item.sentUpTo, lastSentUpTo) > 0) lastSentUpTo = item.sentUpTo;
        // Every transaction that committed before `until` has been delivered.
        if (until && this.compare(lastSentUpTo, until) >= 0) return;
      }
    } finally {
      if (ping) clearInterval(ping);
      signal?.removeEventListener('abort', onAbort);
      this.service = undefined;
      await service.destroy().catch(() => undefined);
      await this.released();
    }
  }

  /** Waits (briefly) until the server has let go of the slot after our stream closed. */
  private async released(): Promise<void> {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      const held = await this.db
        .query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [this.slot])
        .catch(() => []);
      if (held.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * The walsender sends a transaction once its commit record is flushed, which is before the
   * committing backend leaves the process array: a session that reads right away can still get
   * the old rows. So each transaction's xid is looked up in a current snapshot (one query covers
   * every transaction that completed before it) until it shows as completed.
   */
  async visible(transactions: readonly ChangeTransaction[]): Promise<void> {
    for (const { txId } of transactions) {
      if (txId === undefined) continue;
      const xid = Number(txId);
      for (let pause = 1; !this.snapshot || !completedIn(this.snapshot, xid); pause = Math.min(pause * 2, VISIBLE_POLL_MAX_MS)) {
        const [{ snapshot }] = await this.db.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot', []);
        this.snapshot = parseXidSnapshot(snapshot);
        if (!completedIn(this.snapshot, xid)) await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /**
   * While streaming, through the standby status; after the stream ended (`--once` applies its
   * last group then), by advancing the idle slot to exactly `position` with SQL. A slot still
   * held by the closing stream is left: the next stream confirms the stored position first.
   */
  async acknowledge(position: string): Promise<void> {
    if (this.confirmed && this.compare(position, this.confirmed) <= 0) return;
    this.confirmed = position;
    if (this.service) return this.answer(this.service, false);
    await this.db
      .query(
        `SELECT pg_replication_slot_advance(slot_name, $2::pg_lsn) FROM pg_replication_slots
         WHERE slot_name = $1 AND active_pid IS NULL AND confirmed_flush_lsn < $2::pg_lsn`,
        [this.slot, position],
      )
      .catch(() => undefined);
  }

  compare(a: string, b: string): number {
    const x = lsnValue(a);
    const y = lsnValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  async status(): Promise<ChangeFeedStatus> {
    const rows = await this.db.query<{ head: string; retained: string | null }>(
      // The insert position, not the write position: with synchronous_commit=off a commit has
      // returned to its client before its WAL is written, and `--once` must still catch it.
      `SELECT pg_current_wal_insert_lsn()::text AS head,
              (SELECT (pg_current_wal_lsn() - restart_lsn)::bigint::text FROM pg_replication_slots WHERE slot_name = $1) AS retained`,
      [this.slot],
    );
    const { head, retained } = rows[0];
    return { head, ...(retained !== null ? { retainedBytes: Number(retained) } : {}) };
  }

  async drop(): Promise<void> {
    await this.db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [this.slot]);
    await this.db.execute(`DROP PUBLICATION IF EXISTS ${ident(this.publication)}`, []);
  }

  async close(): Promise<void> {
    await this.service?.destroy();
  }

  /** Standby status: confirmed up to the last durable position (see the class comment for the - 1). */
  private async answer(service: LogicalReplicationService, ping: boolean): Promise<void> {
    if (!this.confirmed) return;
    await service.acknowledge(lsnText(lsnValue(this.confirmed) - 1n), ping);
  }

  /**
   * Starts streaming. A slot still held by a process that was just killed is waited for (the
   * server frees it when it notices the dead connection); other errors are thrown at once.
   * Once started, the end of the stream for any reason (server shutdown, lost connection) is
   * reported through `ended`, as a retriable CrmError unless the server said otherwise.
   */
  private async subscribe(service: LogicalReplicationService, from: string, ended: (err: CrmError) => void): Promise<void> {
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication] });
    const deadline = Date.now() + SLOT_BUSY_WAIT_MS;
    for (;;) {
      let started = false;
      try {
        await new Promise<void>((resolve, reject) => {
          service.once('start', () => {
            started = true;
            resolve();
          });
          service.subscribe(plugin, this.slot, from).then(
            () => (started ? ended(this.lost('the replication stream ended')) : resolve()),
            (err: unknown) => (started ? ended(this.lost(err)) : reject(err)),
          );
        });
        return;
      } catch (err) {
        const busy = err instanceof Error && 'code' in err && err.code === '55006';
        if (!busy || Date.now() > deadline) throw toCrmError(err, this.db.errorContext());
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private lost(err: unknown): CrmError {
    const translated = toCrmError(err instanceof Error ? err : new Error(String(err)), this.db.errorContext());
    if (translated.code !== 'CRM_N2005') return translated;
    return new CrmError('CRM_N2001', `replication connection lost: ${translated.message}`, {
      location: { connector: 'postgres' },
      retriable: true,
      cause: err,
    });
  }
}

/** pgoutput messages → envelopes; an update that changes the key is a delete of the old key and an insert. */
function envelopes(message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, table: string): ChangeEvent[] {
  const { relation } = message;
  const keyOf = (row: Record<string, unknown>): Value[] => relation.keyColumns.map((k) => (row[k] ?? null) as Value);
  const base = { table, position: '' };
  if (message.tag === 'insert') return [{ ...base, op: 'insert', key: keyOf(message.new), after: message.new }];
  if (message.tag === 'delete') {
    const old = message.old ?? message.key ?? {};
    return [{ ...base, op: 'delete', key: keyOf(old), before: old }];
  }
  const after = message.new;
  const old = message.old ?? message.key;
  const update: ChangeEvent = { ...base, op: 'update', key: keyOf(after), after, ...(old ? { before: old } : {}) };
  // Under REPLICA IDENTITY FULL every column counts as key: only a real identity can change.
  if (old && relation.replicaIdentity !== 'full' && JSON.stringify(keyOf(old).map(String)) !== JSON.stringify(update.key.map(String))) {
    return [
      { ...base, op: 'delete', key: keyOf(old), before: old },
      { ...base, op: 'insert', key: update.key, after },
    ];
  }
  return [update];
}

/** The replication socket, to pause it while the consumer is behind (the library has no public handle for it). */
function socketOf(service: LogicalReplicationService): { pause(): void; resume(): void } | undefined {
  const connection = (service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })._connection;
  return connection?.stream;
}
