/**
 * State of the engine, as tables of rows keyed by id. Writes to a table may be made to
 * fail (the nemesis's `command-store` fault): `insert`, `update` and `delete` then throw
 * `StoreUnavailableError`, and nothing is written.
 *
 * A durable store (engine/adapters/sqlite-store.ts) keeps every write in one open
 * transaction until `commit`: the server commits once per batch of work (group commit)
 * and sends the batch's replies and events only after that, so nothing is acknowledged
 * that a crash could lose. The in-memory store (engine/adapters/memory-store.ts) keeps
 * nothing across processes, and its `commit` does nothing.
 */
export interface Table<Row extends { id: string }> {
  get(id: string): Row | undefined;
  /** @throws StoreUnavailableError while the store is faulted; Error when the id exists. */
  insert(row: Row): void;
  /** @throws StoreUnavailableError while faulted; Error when the id does not exist. */
  update(row: Row): void;
  /** Returns false when there was no such row. @throws StoreUnavailableError while faulted. */
  delete(id: string): boolean;
  /** Rows in insertion order (an update keeps a row's place; a delete and insert moves it to the end). */
  all(): Row[];
}

export interface Store {
  table<Row extends { id: string }>(name: string): Table<Row>;
  /** Make every write to one table fail (nemesis), or work again. */
  setWritable(table: string, writable: boolean): void;
  /** True when the store outlives the process: what it holds after `commit` survives a crash. */
  readonly durable: boolean;
  /** True when there are writes since the last commit. */
  hasUncommittedWrites(): boolean;
  /**
   * Make every write since the last commit durable, all together (one transaction, one
   * sync to disk). A no-op when nothing was written, and for a store that is not durable.
   * @throws Error when the commit fails: nothing written since the last commit may then be
   *   acknowledged.
   */
  commit(): void;
  /** Let go of the storage (uncommitted writes are rolled back). The store is not used after. */
  close(): void;
}

export class StoreUnavailableError extends Error {
  constructor(table: string) {
    super(`store unavailable: write to '${table}' refused`);
    this.name = 'StoreUnavailableError';
  }
}
