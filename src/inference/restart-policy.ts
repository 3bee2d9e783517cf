/**
 * Sliding-window restart limiter (Frigate's watchdog: at most N restarts per window).
 * `allow()` records a restart and says whether it may happen now.
 */
export class RestartPolicy {
  private readonly times: number[] = [];
  constructor(
    private readonly maxRestarts: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  allow(): boolean {
    const t = this.now();
    while (this.times.length > 0 && t - this.times[0] > this.windowMs) this.times.shift();
    if (this.times.length >= this.maxRestarts) return false;
    this.times.push(t);
    return true;
  }

  recent(): number {
    const t = this.now();
    return this.times.filter((x) => t - x <= this.windowMs).length;
  }
}
