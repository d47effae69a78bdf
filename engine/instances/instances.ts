/**
 * The instance-creation side as a whole: the API that stores commands, the masters that
 * consume them in rounds, and the instances' own progress (SUBMITTED_SUCCESS →
 * RUNNING_EXECUTION → SUCCESS, one step per round; instances run no process here, since
 * the defect lives in creation).
 */
import { bugIsOn, recordTransition, type EngineContext } from '../context.ts';
import { readState, writeState } from '../engine-state.ts';
import { CommandApi, type StartInstanceAnswer } from './command-api.ts';
import { commandsTable, instancesTable, type CommandRow, type InstanceRow } from './command-rows.ts';
import { handleFetched, runMasterRound } from './master-round.ts';
import { MasterRegistry } from './masters.ts';

export class Instances {
  readonly registry = new MasterRegistry();
  private readonly api: CommandApi;
  /** The registry as last written to the store (JSON), so an unchanged one is not written again. */
  private savedRegistry: string;

  constructor(
    private readonly context: EngineContext,
    /** Order in which masters take their turn in a round, by index; others follow in index order. */
    private readonly consumerOrder: readonly number[] = [],
  ) {
    this.api = new CommandApi(context);
    const stored = readState(context.store, 'masters');
    if (stored) this.registry.restore(stored);
    this.savedRegistry = JSON.stringify(this.registry.snapshot());
  }

  startProcessInstance(requestId: string): StartInstanceAnswer {
    return this.api.startProcessInstance(requestId);
  }

  setConsumers(count: number): { joined: string[]; left: string[] } {
    const change = this.registry.resize(count);
    this.saveRegistry();
    return change;
  }

  /** One round: every master fetches once, in consumer order; then instances progress. */
  round(): void {
    const masters = this.registry.members();
    const order = [...this.consumerOrder.filter((index) => index < masters.length)];
    for (let index = 0; index < masters.length; index += 1) if (!order.includes(index)) order.push(index);
    this.progressInstances();
    handleFetched(this.context);
    for (const index of order) runMasterRound(this.context, this.registry, masters[index]!);
    this.saveRegistry();
  }

  /**
   * After a restart. A CREATED command is left for the masters, which take each exactly
   * once (its instance is created and the row deleted in one transaction). A CLAIMED one
   * (its master died holding it) is finished when its instance exists, and otherwise
   * released to CREATED to be taken again: never a second instance for one command.
   */
  recover(): void {
    const commands = this.context.store.table<CommandRow>(commandsTable);
    const instances = this.context.store.table<InstanceRow>(instancesTable).all();
    for (const command of commands.all()) {
      if (command.state !== 'CLAIMED') continue;
      // dolphinscheduler-13355: the claims of the crashed engine are left to it, for ever.
      if (command.heldBy !== undefined && bugIsOn(this.context, 'dolphinscheduler-13355')) continue;
      if (instances.some((instance) => instance.commandId === command.id)) {
        recordTransition(this.context, 'command', commandsTable, { ...command, state: 'CONSUMED' }, command.state, 'recovery', { requestId: command.requestId }, { detail: 'its instance exists' });
        commands.delete(command.id);
        this.context.trace.emit({ kind: 'delete', entity: 'command', id: command.id, cause: 'consumed' });
      } else {
        recordTransition(this.context, 'command', commandsTable, { ...command, state: 'CREATED' }, command.state, 'recovery', { requestId: command.requestId }, { detail: 'released: its master stopped before creating the instance' });
      }
    }
  }

  /** Write the registry (masters, their cached views) to the store when it changed. */
  private saveRegistry(): void {
    const snapshot = this.registry.snapshot();
    const text = JSON.stringify(snapshot);
    if (text === this.savedRegistry) return;
    writeState(this.context.store, { id: 'masters', ...snapshot });
    this.savedRegistry = text;
  }

  private progressInstances(): void {
    const table = this.context.store.table<InstanceRow>(instancesTable);
    for (const instance of table.all()) {
      const to = instance.state === 'SUBMITTED_SUCCESS' ? 'RUNNING_EXECUTION' : instance.state === 'RUNNING_EXECUTION' ? 'SUCCESS' : null;
      if (to) recordTransition(this.context, 'instance', instancesTable, { ...instance, state: to }, instance.state, 'workflow-execute-runnable');
    }
  }
}
