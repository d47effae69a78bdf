/**
 * The durable Store: SQLite (better-sqlite3) in a file of the data folder the harness
 * gives in `setup`. One SQL table per store table, `t_<name>(seq, id, data)`, each row its
 * JSON text; `seq` keeps insertion order (an update keeps it, a delete and insert moves the
 * row to the end, as in the memory store).
 *
 * Writes go into one open transaction, begun by the first write after a commit, and
 * become durable together on `commit` (group commit: the server commits once per batch of
 * work and only then sends the batch's replies, docs/architecture.md "Durability and
 * recovery"). The database is in WAL mode with `synchronous = FULL`, so a commit is one
 * append to the log and one fsync, and survives a crash of the process and of the
 * machine.
 *
 * Reads are served from a copy of every table held in memory, loaded when the table is
 * first used and written through on every write; the copy holds each row's JSON text, so
 * a read shows exactly what a restarted engine would read back.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError, type Store, type Table } from '../ports/store.ts';

/** The file in the data folder. */
export const sqliteFileName = 'engine.sqlite';

/** Layout version, in SQLite's `user_version`; a file of another version is refused. */
const schemaVersion = 1;

const tableNamePattern = /^[A-Za-z][A-Za-z0-9_]*$/;

export class SqliteStore implements Store {
  readonly durable = true;
  /** The database file. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly tables = new Map<string, SqliteTable<{ id: string }>>();
  private readonly readOnly = new Set<string>();
  private readonly begin: Database.Statement;
  private readonly commitStatement: Database.Statement;
  private inTransaction = false;
  /** Set when a statement failed: the in-memory copy may no longer match the file. */
  private broken: Error | null = null;

  /**
   * Open (or create) the store in `dataDir` (created when missing).
   * @throws Error when the file cannot be opened, or was written with another layout.
   */
  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, sqliteFileName);
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version === 0) {
      this.db.pragma(`user_version = ${schemaVersion}`);
    } else if (version !== schemaVersion) {
      this.db.close();
      throw new Error(`SqliteStore: ${this.file} has layout version ${version}; this engine reads version ${schemaVersion}`);
    }
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = this.db.prepare('COMMIT');
  }

  table<Row extends { id: string }>(name: string): Table<Row> {
    let table = this.tables.get(name);
    if (!table) {
      if (!tableNamePattern.test(name)) throw new Error(`SqliteStore: '${name}' is not a table name (letters, digits, underscores)`);
      table = new SqliteTable(this.db, name, this);
      this.tables.set(name, table);
    }
    return table as unknown as Table<Row>;
  }

  setWritable(table: string, writable: boolean): void {
    if (writable) this.readOnly.delete(table);
    else this.readOnly.add(table);
  }

  hasUncommittedWrites(): boolean {
    return this.inTransaction;
  }

  commit(): void {
    if (this.broken) throw new Error(`SqliteStore: an earlier write failed, nothing more can be committed (${this.broken.message})`);
    if (!this.inTransaction) return;
    try {
      this.commitStatement.run();
    } catch (error) {
      this.broken = error as Error;
      throw error;
    }
    this.inTransaction = false;
  }

  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.inTransaction = false;
    this.db.close();
  }

  /** @internal Called by a table before it writes. @throws StoreUnavailableError while the table is faulted. */
  beforeWrite(table: string): void {
    if (this.readOnly.has(table)) throw new StoreUnavailableError(table);
    if (this.broken) throw new Error(`SqliteStore: an earlier write failed (${this.broken.message})`);
    if (!this.inTransaction) {
      this.begin.run();
      this.inTransaction = true;
    }
  }

  /** @internal A statement failed: the copy in memory may not match the file any more. */
  writeFailed(error: unknown): never {
    this.broken = error as Error;
    throw error;
  }
}

class SqliteTable<Row extends { id: string }> implements Table<Row> {
  /** id → the row's JSON text, in insertion order. */
  private readonly rows = new Map<string, string>();
  private readonly insertStatement: Database.Statement;
  private readonly updateStatement: Database.Statement;
  private readonly deleteStatement: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly name: string,
    private readonly store: SqliteStore,
  ) {
    const sqlName = `"t_${name}"`;
    // Outside a transaction this commits on its own; an empty table needs no group commit.
    db.exec(`CREATE TABLE IF NOT EXISTS ${sqlName} (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL)`);
    for (const { id, data } of db.prepare(`SELECT id, data FROM ${sqlName} ORDER BY seq`).all() as Array<{ id: string; data: string }>) {
      this.rows.set(id, data);
    }
    this.insertStatement = db.prepare(`INSERT INTO ${sqlName} (id, data) VALUES (?, ?)`);
    this.updateStatement = db.prepare(`UPDATE ${sqlName} SET data = ? WHERE id = ?`);
    this.deleteStatement = db.prepare(`DELETE FROM ${sqlName} WHERE id = ?`);
  }

  get(id: string): Row | undefined {
    const text = this.rows.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Row);
  }

  insert(row: Row): void {
    this.store.beforeWrite(this.name);
    if (this.rows.has(row.id)) throw new Error(`store: '${this.name}' already has a row '${row.id}'`);
    const text = JSON.stringify(row);
    try {
      this.insertStatement.run(row.id, text);
    } catch (error) {
      this.store.writeFailed(error);
    }
    this.rows.set(row.id, text);
  }

  update(row: Row): void {
    this.store.beforeWrite(this.name);
    if (!this.rows.has(row.id)) throw new Error(`store: '${this.name}' has no row '${row.id}'`);
    const text = JSON.stringify(row);
    try {
      this.updateStatement.run(text, row.id);
    } catch (error) {
      this.store.writeFailed(error);
    }
    this.rows.set(row.id, text);
  }

  delete(id: string): boolean {
    this.store.beforeWrite(this.name);
    if (!this.rows.has(id)) return false;
    try {
      this.deleteStatement.run(id);
    } catch (error) {
      this.store.writeFailed(error);
    }
    return this.rows.delete(id);
  }

  all(): Row[] {
    return [...this.rows.values()].map((text) => JSON.parse(text) as Row);
  }
}
