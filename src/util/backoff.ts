/**
 * Jittered exponential backoff ("equal jitter"): attempt n (1-based) waits a random time in
 * [d/2, d] with d = min(max, initial * 2^(n-1)), so a fleet of devices that lost power or a
 * broker together does not retry in lock-step.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Stateful form of backoffDelayMs for reconnect loops. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly minMs: number, private readonly maxMs: number, private readonly random: () => number = Math.random) {}

  /** Delay before the next attempt, in ms; advances the attempt counter. */
  next(): number {
    this.attempt++;
    return backoffDelayMs(this.attempt, this.minMs, this.maxMs, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
