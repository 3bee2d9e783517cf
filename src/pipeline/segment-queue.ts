/**
 * Bounded async FIFO between the VAD and the stage loop. When full, the oldest waiting
 * item is dropped and counted (stated drop policy: keep the newest speech).
 */
export class SegmentQueue<T> {
  private readonly items: T[] = [];
  private waiter: ((v: T | undefined) => void) | undefined;
  private closed = false;
  dropped = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Sum of `weight(item)` over the waiting items (e.g. queued audio in ms). */
  sum(weight: (item: T) => number): number {
    let n = 0;
    for (const it of this.items) n += weight(it);
    return n;
  }

  /** Returns false when an older item had to be dropped to make room. */
  push(item: T): boolean {
    if (this.closed) throw new Error('queue closed');
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(item);
      return true;
    }
    let ok = true;
    if (this.items.length >= this.max) {
      this.items.shift();
      this.dropped++;
      ok = false;
    }
    this.items.push(item);
    return ok;
  }

  /** Next item, or undefined once the queue is closed and empty. */
  next(): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  close(): void {
    this.closed = true;
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w(undefined);
    }
  }
}
