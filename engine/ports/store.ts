/**
 * Durable state of the engine, as tables of rows keyed by id. Writes to a table may be
 * made to fail (the nemesis's `command-store` fault): `insert`, `update` and `delete` then
 * throw `StoreUnavailableError`, and nothing is written.
 */
export interface Table<Row extends { id: string }> {
  get(id: string): Row | undefined;
  /** @throws StoreUnavailableError while the store is faulted; Error when the id exists. */
  insert(row: Row): void;
  /** @throws StoreUnavailableError while faulted; Error when the id does not exist. */
  update(row: Row): void;
  /** Returns false when there was no such row. @throws StoreUnavailableError while faulted. */
  delete(id: string): boolean;
  /** Rows in insertion order. */
  all(): Row[];
}

export interface Store {
  table<Row extends { id: string }>(name: string): Table<Row>;
  /** Make every write to one table fail (nemesis), or work again. */
  setWritable(table: string, writable: boolean): void;
}

export class StoreUnavailableError extends Error {
  constructor(table: string) {
    super(`store unavailable: write to '${table}' refused`);
    this.name = 'StoreUnavailableError';
  }
}
