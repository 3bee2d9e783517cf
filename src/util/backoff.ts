/**
 * Jittered exponential backoff for reconnects ("equal jitter"): attempt n waits a random
 * time in [d/2, d] with d = min(max, min * 2^n), so a fleet of devices does not hammer a
 * broker that just came back all at the same instant.
 */
export class Backoff {
  private attempt = 0;

  constructor(private readonly minMs: number, private readonly maxMs: number, private readonly random: () => number = Math.random) {}

  /** Delay before the next attempt, in ms; advances the attempt counter. */
  next(): number {
    const d = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(d / 2 + this.random() * (d / 2));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
