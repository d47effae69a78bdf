/**
 * One fetch round of one master: turn the commands of its slot into workflow instances.
 *
 * Fixed shape (3.3.0's reworked fetching): read slot and count from the registry in one
 * snapshot, and for each command of that slot create the instance and delete the command
 * in one transaction; a command another master already took is left alone.
 *
 * dolphinscheduler-16572 puts back the 3.1.9 shape: the master fetches with its cached
 * slot and count, takes the rows, refreshes its slot, then re-checks; a command whose
 * slot check now fails is skipped with an INFO log only, and no master sees it again.
 * Upstream the row is lost between the non-atomic refresh and a handling path that had
 * already taken it; this re-creation folds that race into one deterministic code point,
 * so the loss replays.
 *
 * dolphinscheduler-13355 splits fetching from handling, as a master hands what it fetched
 * to its handling pool: a round claims the commands (committed), and handleFetched(), in a
 * later round, creates their instances once they have waited handlingDelayMs. The claims carry the engine process holding
 * them, and recovery leaves the claims of a crashed engine where they are (Instances.recover).
 */
import { bugIsOn, log, recordTransition, type EngineContext } from '../context.ts';
import type { TransitionCause } from '../../trace/events.ts';
import { StoreUnavailableError } from '../ports/store.ts';
import { commandsTable, instancesTable, type CommandRow, type InstanceRow } from './command-rows.ts';
import type { Master, MasterRegistry } from './masters.ts';

/** Commands one master takes in one round (count). */
export const fetchSizeMax = 100;

function moveCommand(context: EngineContext, command: CommandRow, to: CommandRow['state'], cause: TransitionCause, heldBy?: string): CommandRow {
  const after = { ...command, state: to, ...(heldBy ? { heldBy, heldAtWallMs: context.clock.wallNowMs() } : {}) };
  recordTransition(context, 'command', commandsTable, after, command.state, cause, { requestId: command.requestId });
  return after;
}

/** Create the instance for a claimed command, then delete the command; `masterId` made it. */
function consume(context: EngineContext, masterId: string, claimed: CommandRow): void {
  const instance: InstanceRow = {
    id: `instance-${claimed.number}`,
    parentId: null,
    state: 'SUBMITTED_SUCCESS',
    requestId: claimed.requestId,
    commandId: claimed.id,
  };
  recordTransition(
    context,
    'instance',
    instancesTable,
    instance,
    null,
    'handle-command',
    { requestId: claimed.requestId, commandId: claimed.id },
    // The cause list is closed; which master made the instance is the variable part.
    { detail: `master ${masterId}` },
  );
  const consumed = moveCommand(context, claimed, 'CONSUMED', 'handle-command');
  context.store.table<CommandRow>(commandsTable).delete(consumed.id);
  context.trace.emit({ kind: 'delete', entity: 'command', id: consumed.id, cause: 'consumed' });
}

/** The engine process whose handling pool holds a deferred claim (dolphinscheduler-13355). */
const holder = `pid-${process.pid}`;
const heldBy = (master: Master): string => `${master.id}@${holder}`;
/**
 * How long a fetched command waits in the handling pool (ms of wall time;
 * dolphinscheduler-13355 only). Long enough that the claims of a burst's last round are
 * still held when its seed scenario crashes the engine right after the burst, also on a
 * loaded machine where the looks between the last round and the crash take over 500 ms;
 * short enough that an instance still comes within instanceBoundMs (2000 ms) of its ack.
 */
export const handlingDelayMs = 1500;

/**
 * dolphinscheduler-13355 only: the handling pool of this engine process creates the
 * instances of the commands its masters claimed at least handlingDelayMs ago. Claims held
 * by another (a crashed) engine process are not its own and stay where they are.
 */
export function handleFetched(context: EngineContext): void {
  if (!bugIsOn(context, 'dolphinscheduler-13355')) return;
  const commands = context.store.table<CommandRow>(commandsTable);
  const due = context.clock.wallNowMs() - handlingDelayMs;
  const heldDue = commands.all().filter((command) => command.state === 'CLAIMED' && command.heldBy?.endsWith(`@${holder}`) && command.heldAtWallMs! <= due);
  for (const held of heldDue) {
    consume(context, held.heldBy!.split('@')[0]!, held);
  }
}

/**
 * One round of `master`: fetch up to fetchSizeMax CREATED commands of its slot and turn
 * each into an instance (commands CREATED → CLAIMED → CONSUMED and deleted, instance
 * SUBMITTED_SUCCESS). A command table that refuses writes ends the round with nothing
 * taken. Never throws for a store fault; throws only on a programming error.
 */
export function runMasterRound(context: EngineContext, registry: MasterRegistry, master: Master): void {
  const commands = context.store.table<CommandRow>(commandsTable);
  const cachedView = bugIsOn(context, 'dolphinscheduler-16572');
  const deferred = bugIsOn(context, 'dolphinscheduler-13355');
  if (!cachedView) {
    // One snapshot of the registry for the whole round.
    master.slotView = registry.slotOf(master);
    master.countView = registry.members().length;
  }
  const slot = master.slotView;
  const count = master.countView;
  const fetched =
    slot < 0 || count === 0
      ? []
      : commands
          .all()
          .filter((command) => command.state === 'CREATED' && command.number % count === slot)
          .slice(0, fetchSizeMax);
  for (const command of fetched) {
    const current = commands.get(command.id);
    if (!current || current.state !== 'CREATED') continue;
    let claimed: CommandRow;
    try {
      claimed = moveCommand(context, current, 'CLAIMED', 'fetch', deferred ? heldBy(master) : undefined);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // The command table refuses writes: nothing was taken; try again next round.
      break;
    }
    if (cachedView) {
      // dolphinscheduler-16572: 3.1.9 refreshes the slot between fetching and handling
      // and re-checks it; a command that fails the check is dropped with an INFO log only.
      master.slotView = registry.slotOf(master);
      if (claimed.number % master.countView !== master.slotView) {
        commands.delete(claimed.id);
        log(context, 'info', `Master handle command ${claimed.id} skip, slot check is invalid`);
        continue;
      }
    }
    // dolphinscheduler-13355: handed to the handling pool, which creates the instance next round.
    if (deferred) continue;
    // The claim wrote to the table, so the rest of this synchronous transaction can too.
    consume(context, master.id, claimed);
  }
  // The heartbeat at the end of the round refreshes the cached slot.
  master.slotView = registry.slotOf(master);
}
