/**
 * The events waiting to be sent, one FIFO per organization (a request carries one organization's
 * events), with a global admission order so the oldest waiting event can be found across them.
 * Pure bookkeeping: capacity, timers and delivery live in `CustodyClient`.
 */

/** What the queue needs to know about an item. */
export interface TQueueItem {
  readonly organizationId: string;
  /** Size of the item in the request body, in bytes. */
  readonly bytes: number;
  /** When it was queued (ms since the epoch), for the batch delay. */
  readonly queuedAt: number;
}

interface TLane<T> {
  readonly items: T[];
  /** Admission order of each item in `items`, in step with it. */
  readonly orders: number[];
  /** Sum of the items' `bytes`. */
  bytes: number;
}

/** Per-organization FIFOs of waiting items. */
export class EventQueue<T extends TQueueItem> {
  readonly #lanes = new Map<string, TLane<T>>();
  #size = 0;
  #next = 0;

  /** Items waiting, across organizations. */
  get size(): number {
    return this.#size;
  }

  /** Appends an item to its organization's FIFO. */
  push(item: T): void {
    let lane = this.#lanes.get(item.organizationId);
    if (lane === undefined) {
      lane = { items: [], orders: [], bytes: 0 };
      this.#lanes.set(item.organizationId, lane);
    }
    lane.items.push(item);
    lane.orders.push(this.#next++);
    lane.bytes += item.bytes;
    this.#size += 1;
  }

  /** Organizations with waiting items, in no particular order. */
  organizations(): string[] {
    return [...this.#lanes.keys()];
  }

  /** Items waiting for `organizationId`. */
  countOf(organizationId: string): number {
    return this.#lanes.get(organizationId)?.items.length ?? 0;
  }

  /** Bytes waiting for `organizationId`. */
  bytesOf(organizationId: string): number {
    return this.#lanes.get(organizationId)?.bytes ?? 0;
  }

  /** When the oldest waiting item of `organizationId` was queued, or `undefined` if none waits. */
  oldestQueuedAt(organizationId: string): number | undefined {
    return this.#lanes.get(organizationId)?.items[0]?.queuedAt;
  }

  /**
   * Removes and returns the next batch of `organizationId`: the longest prefix of its FIFO with at most
   * `maxEvents` items and at most `maxBytes` bytes in total, always at least one item if any waits.
   */
  take(organizationId: string, maxEvents: number, maxBytes: number): T[] {
    const lane = this.#lanes.get(organizationId);
    if (lane === undefined) return [];
    let count = 0;
    let bytes = 0;
    for (const item of lane.items) {
      if (count >= maxEvents || (count > 0 && bytes + item.bytes > maxBytes)) break;
      count += 1;
      bytes += item.bytes;
    }
    const batch = lane.items.splice(0, count);
    lane.orders.splice(0, count);
    lane.bytes -= bytes;
    this.#size -= batch.length;
    if (lane.items.length === 0) this.#lanes.delete(organizationId);
    return batch;
  }

  /** Removes and returns the item admitted first among all waiting ones, or `undefined` if none waits. */
  shiftOldest(): T | undefined {
    let oldest: { organizationId: string; order: number } | undefined;
    for (const [organizationId, lane] of this.#lanes) {
      const order = lane.orders[0];
      if (order !== undefined && (oldest === undefined || order < oldest.order)) oldest = { organizationId, order };
    }
    if (oldest === undefined) return undefined;
    const lane = this.#lanes.get(oldest.organizationId);
    if (lane === undefined) return undefined;
    const item = lane.items.shift();
    lane.orders.shift();
    if (lane.items.length === 0) this.#lanes.delete(oldest.organizationId);
    if (item !== undefined) {
      lane.bytes -= item.bytes;
      this.#size -= 1;
    }
    return item;
  }

  /** Removes and returns every waiting item, oldest organization lane first. */
  drain(): T[] {
    const all: T[] = [];
    for (const lane of this.#lanes.values()) all.push(...lane.items);
    this.#lanes.clear();
    this.#size = 0;
    return all;
  }
}
