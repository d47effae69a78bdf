/**
 * The instance-creation side as a whole: the API that stores commands, the masters that
 * consume them in rounds, and the instances' own progress (SUBMITTED_SUCCESS →
 * RUNNING_EXECUTION → SUCCESS, one step per round; instances run no process here, since
 * the defect lives in creation).
 */
import { recordTransition, type EngineContext } from '../context.ts';
import { CommandApi, type StartInstanceAnswer } from './command-api.ts';
import { instancesTable, type InstanceRow } from './command-rows.ts';
import { runMasterRound } from './master-round.ts';
import { MasterRegistry } from './masters.ts';

export class Instances {
  readonly registry = new MasterRegistry();
  private readonly api: CommandApi;

  constructor(
    private readonly context: EngineContext,
    /** Order in which masters take their turn in a round, by index; others follow in index order. */
    private readonly consumerOrder: readonly number[] = [],
  ) {
    this.api = new CommandApi(context);
  }

  startProcessInstance(requestId: string): StartInstanceAnswer {
    return this.api.startProcessInstance(requestId);
  }

  setConsumers(count: number): { joined: string[]; left: string[] } {
    return this.registry.resize(count);
  }

  /** One round: every master fetches once, in consumer order; then instances progress. */
  round(): void {
    const masters = this.registry.members();
    const order = [...this.consumerOrder.filter((index) => index < masters.length)];
    for (let index = 0; index < masters.length; index += 1) if (!order.includes(index)) order.push(index);
    this.progressInstances();
    for (const index of order) runMasterRound(this.context, this.registry, masters[index]!);
  }

  private progressInstances(): void {
    const table = this.context.store.table<InstanceRow>(instancesTable);
    for (const instance of table.all()) {
      const to = instance.state === 'SUBMITTED_SUCCESS' ? 'RUNNING_EXECUTION' : instance.state === 'RUNNING_EXECUTION' ? 'SUCCESS' : null;
      if (to) recordTransition(this.context, 'instance', instancesTable, { ...instance, state: to }, instance.state, 'workflow-execute-runnable');
    }
  }
}
