/**
 * The masters that consume commands, and the registry they learn their slot from.
 * A master's slot is its index among the registered masters and `count` their number; it
 * takes commands whose number % count == slot (DolphinScheduler 3.1.x
 * MasterSlotManager / ServerNodeManager).
 *
 * Each master keeps a cached view of its slot and of the count, as upstream does. The
 * count is refreshed as soon as the registry changes; the slot only when the master
 * next checks (the non-atomic refresh of apache/dolphinscheduler#8980, #15099, #16572).
 */
export interface Master {
  id: string;
  /** Cached slot; a master learns it on joining and on each heartbeat. */
  slotView: number;
  /** Cached number of masters. */
  countView: number;
}

export class MasterRegistry {
  private readonly masters: Master[] = [];
  private nextIndex = 0;

  /** The registry as stored (engine/engine-state.ts): masters in order with their cached views, and the next master number. */
  snapshot(): { masters: Master[]; nextIndex: number } {
    return { masters: this.masters.map((master) => ({ ...master })), nextIndex: this.nextIndex };
  }

  /** Put back a registry as `snapshot()` gave it (an engine started again on its data). */
  restore(snapshot: { masters: Master[]; nextIndex: number }): void {
    this.masters.splice(0, this.masters.length, ...snapshot.masters.map((master) => ({ ...master })));
    this.nextIndex = snapshot.nextIndex;
  }

  /** Registered masters in registration order (the order slots are given in). */
  members(): readonly Master[] {
    return this.masters;
  }

  /** The master's slot as the registry sees it now, or -1 when it is not registered. */
  slotOf(master: Master): number {
    return this.masters.indexOf(master);
  }

  /**
   * Make the number of masters `count`: new masters join at the end; leaving masters are
   * the oldest ones, so the slots of those that stay shift down.
   */
  resize(count: number): { joined: string[]; left: string[] } {
    const joined: string[] = [];
    const left: string[] = [];
    while (this.masters.length < count) {
      const master: Master = { id: `master-${this.nextIndex}`, slotView: -1, countView: 0 };
      this.nextIndex += 1;
      this.masters.push(master);
      joined.push(master.id);
    }
    while (this.masters.length > count) left.push(this.masters.shift()!.id);
    // The registry event reaches every master: each refreshes its count at once. A
    // newly joined master also learns its slot; the others learn theirs when they next check.
    for (const master of this.masters) {
      master.countView = this.masters.length;
      if (joined.includes(master.id)) master.slotView = this.slotOf(master);
    }
    return { joined, left };
  }
}
