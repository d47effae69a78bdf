/**
 * The client (Jepsen's word): applies one operation step to the engine and records the
 * request and its answer in the trace. Waiting steps (await, drain, sleep) belong to the
 * runner, which polls; this module only acts.
 */
import type { Answer, ReferenceEngine } from '../../engine/reference-engine.ts';
import type { TraceSink } from '../../engine/ports/trace-sink.ts';
import type { Step } from '../../scenarios/schema/steps.ts';
import { startInstanceOp } from '../checker/instance.ts';

export class Client {
  private requestCount = 0;
  private burstCount = 0;
  /** Request ids the engine acknowledged with success (for `drain`). */
  readonly acknowledged: string[] = [];

  constructor(
    private readonly engine: ReferenceEngine,
    private readonly trace: TraceSink,
    /** Poll between burst batches: tick the engine and read it back. */
    private readonly betweenBatches: () => void,
  ) {}

  private request(op: string, args: Record<string, unknown>, answer: Answer, requestId = `op-${++this.requestCount}`): Answer {
    this.trace.emit({ kind: 'request', op, requestId, args, outcome: answer.ok ? 'ok' : 'fail', answer });
    return answer;
  }

  /**
   * Apply an operation step. Returns false for the steps it does not apply (waits).
   * @throws whatever the engine throws: an engine fault, which the runner reports as a crash.
   */
  async apply(step: Step): Promise<boolean> {
    if ('deploy' in step) this.request('deploy', step.deploy, this.engine.deploy(step.deploy));
    else if ('start' in step) this.request('start-run', step.start, this.engine.startRun(step.start));
    else if ('cancel' in step) this.request('cancel-run', step.cancel, this.engine.cancelRun(step.cancel.run));
    else if ('advance' in step) this.request('advance-clock', step.advance, this.engine.advance(step.advance.ms));
    else if ('workers' in step) this.request('workers', { action: step.workers }, this.engine.setWorkersPaused(step.workers === 'pause'));
    else if ('startWorkflow' in step) this.request('start-workflow', step.startWorkflow, this.engine.startWorkflow(step.startWorkflow));
    else if ('terminate' in step) {
      const { workflow, reason } = step.terminate;
      this.request('terminate-workflow', step.terminate, { ...(await this.engine.terminateWorkflow(workflow, reason)) });
    } else if ('fault' in step) {
      const [action, fault] = 'inject' in step.fault ? (['inject', step.fault.inject] as const) : (['clear', step.fault.clear] as const);
      this.trace.emit({ kind: 'fault', action, fault });
      this.engine.setFault(fault, action === 'inject');
    } else if ('burst' in step) this.burst(step.burst);
    else if ('consumers' in step) this.request('set-consumers', step.consumers, this.engine.setConsumers(step.consumers.count));
    else return false;
    return true;
  }

  private burst({ requests, batchSize, membership }: Extract<Step, { burst: unknown }>['burst']): void {
    for (let index = 0; index < requests; index += 1) {
      for (const change of membership.filter((candidate) => candidate.afterRequests === index)) {
        this.request('set-consumers', { count: change.consumers, duringBurst: true }, this.engine.setConsumers(change.consumers));
      }
      this.burstCount += 1;
      const requestId = `req-${this.burstCount}`;
      const answer = this.request(startInstanceOp, { requestId }, this.engine.startProcessInstance(requestId), requestId);
      if (answer.ok) this.acknowledged.push(requestId);
      if ((index + 1) % batchSize === 0) this.betweenBatches();
    }
    this.betweenBatches();
  }
}
