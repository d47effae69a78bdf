import { StoreUnavailableError, type Store, type Table } from '../ports/store.ts';

/**
 * The in-memory Store: tables of rows kept in insertion order. Rows are copied in and
 * out, so a caller holding a row cannot change the store behind its back (as a database
 * row read into memory cannot).
 */
export class MemoryStore implements Store {
  /** Nothing outlives the process. */
  readonly durable = false;
  private readonly tables = new Map<string, MemoryTable<{ id: string }>>();
  private readonly readOnly = new Set<string>();

  table<Row extends { id: string }>(name: string): Table<Row> {
    let table = this.tables.get(name);
    if (!table) {
      table = new MemoryTable(name, () => !this.readOnly.has(name));
      this.tables.set(name, table);
    }
    return table as unknown as Table<Row>;
  }

  setWritable(table: string, writable: boolean): void {
    if (writable) this.readOnly.delete(table);
    else this.readOnly.add(table);
  }

  hasUncommittedWrites(): boolean {
    return false;
  }

  /** Nothing to make durable: every write is final as it is made. */
  commit(): void {}

  close(): void {}
}

class MemoryTable<Row extends { id: string }> implements Table<Row> {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly name: string,
    private readonly writable: () => boolean,
  ) {}

  get(id: string): Row | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : structuredClone(row);
  }

  insert(row: Row): void {
    this.assertWritable();
    if (this.rows.has(row.id)) throw new Error(`store: '${this.name}' already has a row '${row.id}'`);
    this.rows.set(row.id, structuredClone(row));
  }

  update(row: Row): void {
    this.assertWritable();
    if (!this.rows.has(row.id)) throw new Error(`store: '${this.name}' has no row '${row.id}'`);
    this.rows.set(row.id, structuredClone(row));
  }

  delete(id: string): boolean {
    this.assertWritable();
    return this.rows.delete(id);
  }

  all(): Row[] {
    return [...this.rows.values()].map((row) => structuredClone(row));
  }

  private assertWritable(): void {
    if (!this.writable()) throw new StoreUnavailableError(this.name);
  }
}
