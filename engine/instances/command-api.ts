/**
 * `POST executors/start-process-instance`: insert a command row and answer success once
 * the row is written (DolphinScheduler ExecutorServiceImpl#execProcessInstance → 
 * createCommand). A request whose command cannot be stored is answered with an error.
 */
import { recordTransition, type EngineContext } from '../context.ts';
import { readState, writeState } from '../engine-state.ts';
import { StoreUnavailableError } from '../ports/store.ts';
import { commandsTable, type CommandRow } from './command-rows.ts';

export type StartInstanceAnswer = { ok: true; commandId: string } | { ok: false; code: 'unavailable'; error: string };

export class CommandApi {
  /** The number the next command gets; kept in the store, so numbers are never reused after a restart. */
  private nextNumber: number;

  constructor(private readonly context: EngineContext) {
    this.nextNumber = readState(context.store, 'command-counter')?.nextNumber ?? 1;
  }

  startProcessInstance(requestId: string): StartInstanceAnswer {
    const number = this.nextNumber;
    const command: CommandRow = { id: `cmd-${number}`, parentId: null, state: 'CREATED', number, requestId };
    try {
      recordTransition(this.context, 'command', commandsTable, command, null, 'start-process-instance', { requestId, number });
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { ok: false, code: 'unavailable', error: error.message };
      throw error;
    }
    this.nextNumber += 1;
    writeState(this.context.store, { id: 'command-counter', nextNumber: this.nextNumber });
    return { ok: true, commandId: command.id };
  }
}
