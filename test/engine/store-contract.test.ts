/**
 * Goal: both adapters of the Store port keep one contract (engine/ports/store.ts), so the
 * engine behaves the same on either, and the in-memory store behaves as it always has:
 * rows copied in and out, insertion order (an update keeps a row's place), the errors of
 * a duplicate insert and of an update of nothing, and `setWritable(false)` refusing every
 * write of one table with StoreUnavailableError and writing nothing. Then what only the
 * durable store (SQLite) promises: what was committed is there after reopening, what was
 * not is not; WAL mode; a file of another layout is refused.
 *
 * Method: one contract suite run against a MemoryStore and a SqliteStore in a fresh
 * temporary folder; then the SQLite store on its own, reopened, and read by a second
 * connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../engine/adapters/memory-store.ts';
import { SqliteStore, sqliteFileName } from '../../engine/adapters/sqlite-store.ts';
import { StoreUnavailableError, type Store } from '../../engine/ports/store.ts';

interface Row {
  id: string;
  state: string;
  nested: { list: number[] };
}

const folders: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'fc-store-test-'));
  folders.push(folder);
  return folder;
}
const openStores: Store[] = [];
afterAll(() => {
  for (const store of openStores) store.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const adapters: Array<{ name: string; open: () => Store }> = [
  { name: 'MemoryStore', open: () => new MemoryStore() },
  {
    name: 'SqliteStore',
    open: () => {
      const store = new SqliteStore(freshFolder());
      openStores.push(store);
      return store;
    },
  },
];

const row = (id: string, state = 'CREATED'): Row => ({ id, state, nested: { list: [1, 2] } });

describe.each(adapters)('the Store contract: $name', ({ open }) => {
  it('gets what was inserted, as a copy the caller cannot change the store through', () => {
    const table = open().table<Row>('t_ds_command');
    const inserted = row('a');
    table.insert(inserted);
    inserted.nested.list.push(3);
    const read = table.get('a')!;
    expect(read).toEqual(row('a'));
    read.state = 'CHANGED';
    read.nested.list.length = 0;
    expect(table.get('a')).toEqual(row('a'));
    expect(table.get('nope')).toBeUndefined();
  });

  it('keeps insertion order: an update keeps the place, a delete and insert goes to the end', () => {
    const table = open().table<Row>('flow_run');
    for (const id of ['a', 'b', 'c']) table.insert(row(id));
    table.update(row('a', 'RUNNING'));
    expect(table.all().map((each) => `${each.id}:${each.state}`)).toEqual(['a:RUNNING', 'b:CREATED', 'c:CREATED']);
    expect(table.delete('a')).toBe(true);
    expect(table.delete('a')).toBe(false);
    table.insert(row('a'));
    expect(table.all().map((each) => each.id)).toEqual(['b', 'c', 'a']);
  });

  it('refuses a duplicate insert and an update of a missing row, with Error', () => {
    const table = open().table<Row>('workflow');
    table.insert(row('w'));
    expect(() => table.insert(row('w'))).toThrow(/already has a row 'w'/);
    expect(() => table.update(row('x'))).toThrow(/has no row 'x'/);
    expect(table.all()).toEqual([row('w')]);
  });

  it('while a table is not writable: every write throws StoreUnavailableError and writes nothing; other tables and reads work', () => {
    const store = open();
    const commands = store.table<Row>('t_ds_command');
    const runs = store.table<Row>('flow_run');
    commands.insert(row('kept'));
    store.setWritable('t_ds_command', false);
    expect(() => commands.insert(row('new'))).toThrow(StoreUnavailableError);
    expect(() => commands.update(row('kept', 'CLAIMED'))).toThrow(StoreUnavailableError);
    expect(() => commands.delete('kept')).toThrow(StoreUnavailableError);
    expect(commands.all()).toEqual([row('kept')]);
    runs.insert(row('r1'));
    expect(runs.get('r1')).toEqual(row('r1'));
    store.setWritable('t_ds_command', true);
    commands.insert(row('new'));
    expect(commands.all().map((each) => each.id)).toEqual(['kept', 'new']);
  });

  it('gives the same table object state through two handles of one name', () => {
    const store = open();
    store.table<Row>('task').insert(row('t1'));
    expect(store.table<Row>('task').get('t1')).toEqual(row('t1'));
    // commit is always allowed; for the memory store it does nothing.
    store.commit();
    expect(store.hasUncommittedWrites()).toBe(false);
  });
});

describe('SqliteStore: durable', () => {
  it('after commit, a reopened store has every row in order; writes not committed are gone', () => {
    const folder = freshFolder();
    const first = new SqliteStore(folder);
    const table = first.table<Row>('flow_run');
    for (const id of ['a', 'b', 'c']) table.insert(row(id));
    table.update(row('a', 'RUNNING'));
    table.delete('b');
    expect(first.hasUncommittedWrites()).toBe(true);
    first.commit();
    expect(first.hasUncommittedWrites()).toBe(false);
    table.insert(row('lost'));
    first.close();

    const second = new SqliteStore(folder);
    expect(second.table<Row>('flow_run').all().map((each) => `${each.id}:${each.state}`)).toEqual(['a:RUNNING', 'c:CREATED']);
    second.close();
  });

  it('another connection sees a write only once it is committed (the point replies wait for)', () => {
    const folder = freshFolder();
    const store = new SqliteStore(folder);
    openStores.push(store);
    const reader = new Database(path.join(folder, sqliteFileName), { readonly: true });
    try {
      store.table<Row>('t_ds_command').insert(row('cmd-1'));
      const count = () => (reader.prepare('SELECT count(*) AS n FROM "t_t_ds_command"').get() as { n: number }).n;
      expect(count()).toBe(0);
      store.commit();
      expect(count()).toBe(1);
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      reader.close();
    }
  });

  it('refuses a file of another layout version, and table names that are not plain words', () => {
    const folder = freshFolder();
    const raw = new Database(path.join(folder, sqliteFileName));
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteStore(folder)).toThrow(/layout version 99/);
    const store = new SqliteStore(freshFolder());
    openStores.push(store);
    expect(() => store.table('x"; DROP TABLE y; --')).toThrow(/not a table name/);
  });
});
