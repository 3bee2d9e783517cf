/** Exponential backoff with full jitter: delay n is uniform in [initial/2, min(max, initial·2^n)]. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly initialMs: number, private readonly maxMs: number, private readonly random: () => number = Math.random) {}

  next(): number {
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const lo = Math.min(cap, this.initialMs / 2);
    return Math.round(lo + (cap - lo) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
