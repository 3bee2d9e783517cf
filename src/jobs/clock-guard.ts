/**
 * src/jobs/clock-guard.ts: a "trusted now" for age-based deletion on boards without an RTC.
 * The trusted clock only moves by monotonic time within a boot, and across boots by the wall
 * clock's advance clamped to [0, maxJumpS]. A +1 year wall jump (bad NTP/RTC, or a Pi that
 * booted with a stale fake-hwclock) therefore never makes existing data look a year old, so
 * retention can never purge everything after a jump. The worst case is keeping data longer.
 * A synchronized wall clock (systemd-timesyncd's flag file) may pull the trusted clock forward.
 * State (wall, boot-relative monotonic, boot id, trusted) persists in an atomic JSON file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFileRecovering, writeFileAtomic } from '../platform/atomic-file.js';
import type { Logger } from '../util/logger.js';

export interface GuardClock {
  wallMs(): number;
  /** Monotonic ms since boot (CLOCK_MONOTONIC; process.hrtime on Linux), shared by every process of a boot. */
  bootMonoMs(): number;
  bootId(): string;
}

export const systemGuardClock: GuardClock = {
  wallMs: () => Date.now(),
  bootMonoMs: () => Number(process.hrtime.bigint() / 1_000_000n),
  bootId: () => {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return 'unknown';
    }
  },
};

/** systemd-timesyncd (≥ 239) touches this file once the clock is synchronized (chrony users: pass wallIsSynced). */
export const timesyncdSynced = (): boolean => existsSync('/run/systemd/timesync/synchronized');

interface State { wallMs: number; bootMonoMs: number; bootId: string; trustedMs: number }

export interface Observation {
  trustedMs: number;
  /** Wall minus trusted time after this observation (how far the wall clock is ahead). */
  skewMs: number;
  /** Jump detected by this observation (0: none). */
  jumpMs: number;
  sameBoot: boolean;
}

/** Divergences under this are NTP slewing, not jumps. */
const SLEW_TOLERANCE_MS = 60_000;

export class ClockGuard {
  private state: State | undefined;

  constructor(private readonly o: { stateFile: string; maxJumpS: number; clock?: GuardClock; log?: Logger; wallIsSynced?: () => boolean }) {
    const raw = readFileRecovering(o.stateFile);
    if (raw) {
      try {
        const s = JSON.parse(raw.data.toString('utf8')) as State;
        if ([s.wallMs, s.bootMonoMs, s.trustedMs].every(Number.isFinite) && typeof s.bootId === 'string') this.state = s;
      } catch {
        o.log?.warn({ file: o.stateFile }, 'clock_guard.state_unreadable');
      }
    }
  }

  private get clock(): GuardClock {
    return this.o.clock ?? systemGuardClock;
  }

  /** Advance the trusted clock to now and persist it. Call from the heartbeat and before retention. */
  observe(): Observation {
    const c = this.clock;
    const wall = c.wallMs();
    const mono = c.bootMonoMs();
    const boot = c.bootId();
    const prev = this.state;
    let trusted: number;
    let jumpMs = 0;
    const sameBoot = prev !== undefined && prev.bootId === boot && mono >= prev.bootMonoMs;
    if (!prev) trusted = wall;
    else if (sameBoot) {
      const dMono = mono - prev.bootMonoMs;
      const dWall = wall - prev.wallMs;
      trusted = prev.trustedMs + dMono;
      if (Math.abs(dWall - dMono) > SLEW_TOLERANCE_MS) jumpMs = dWall - dMono;
    } else {
      const dWall = wall - prev.wallMs;
      const clamped = Math.min(Math.max(dWall, 0), this.o.maxJumpS * 1000);
      trusted = prev.trustedMs + clamped;
      if (dWall !== clamped) jumpMs = dWall - clamped;
    }
    // Only a wall clock that the time daemon reports synchronized may pull the trusted clock forward
    // (e.g. a board whose very first start was before NTP). Unsynchronized jumps never count.
    if (wall > trusted && (this.o.wallIsSynced ?? timesyncdSynced)()) trusted = wall;
    if (jumpMs !== 0) this.o.log?.warn({ jumpMs, sameBoot, trustedMs: trusted, wallMs: wall }, 'clock.jump');
    this.state = { wallMs: wall, bootMonoMs: mono, bootId: boot, trustedMs: trusted };
    writeFileAtomic(this.o.stateFile, JSON.stringify(this.state), { backup: true });
    return { trustedMs: trusted, skewMs: wall - trusted, jumpMs, sameBoot };
  }

  /**
   * A wall timestamp safe to stamp on new records: never earlier than the trusted clock (a
   * board that boots in 1970 still stamps "after the last known time", like fake-hwclock).
   */
  sanitizedWallMs(): number {
    const wall = this.clock.wallMs();
    return this.state ? Math.max(wall, this.state.trustedMs) : wall;
  }

  /** Age cutoff for retention: records older than `ageMs` by the trusted clock and by the wall clock. */
  cutoffMs(ageMs: number): number {
    const o = this.observe();
    return Math.min(o.trustedMs, this.clock.wallMs()) - ageMs;
  }
}
