/** Wall and monotonic time, injectable so tests control both (clock jumps, fake time). */
export interface Clock {
  /** Wall clock, ms since the epoch (may jump: NTP, no RTC at boot). */
  wallMs(): number;
  /** Monotonic ms (never jumps). */
  monoMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => performance.now(),
};

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private wall = Date.UTC(2026, 0, 1), private mono = 0) {}
  wallMs(): number {
    return this.wall;
  }
  monoMs(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  jumpWall(ms: number): void {
    this.wall += ms;
  }
}
