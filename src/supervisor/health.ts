/**
 * src/supervisor/health.ts: per-component heartbeats decide whether WATCHDOG=1 is sent.
 * z2m pings from a bare setInterval, which only proves the event loop is alive; parley pings
 * only while every watched component makes real progress (capture frames arriving, VAD
 * consuming them, inference answering). A component is healthy when it beat within its
 * `maxSilenceMs`, or when it reports itself idle (inference with nothing outstanding,
 * capture stopped on purpose in the paused tier). With WATCHDOG_USEC=2 s the check runs
 * every 1 s, so pings stop within maxSilenceMs + 1 s of a stall.
 */
import { systemClock, type Clock } from '../platform/clock.js';
import type { Logger } from '../util/logger.js';

export interface WatchdogSink {
  watchdog(): void;
}

export interface ComponentHealth {
  name: string;
  ok: boolean;
  idle: boolean;
  /** ms since the last beat (null: never beat). */
  silentMs: number | null;
  maxSilenceMs: number;
}

interface Entry { maxSilenceMs: number; lastBeatMs: number | undefined; idle: () => boolean }

export class Health {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stalled = false;
  pings = 0;

  constructor(private readonly clock: Clock = systemClock, private readonly log?: Logger) {}

  /** Watch a component. `idle()` true means "no progress expected right now". */
  watch(name: string, maxSilenceMs: number, idle: () => boolean = () => false): void {
    this.entries.set(name, { maxSilenceMs, lastBeatMs: undefined, idle });
  }

  unwatch(name: string): void {
    this.entries.delete(name);
  }

  /** The component made progress (a frame arrived, a reply came back). Cheap: call it per frame. */
  beat(name: string): void {
    const e = this.entries.get(name);
    if (e) e.lastBeatMs = this.clock.monoMs();
  }

  components(): ComponentHealth[] {
    const now = this.clock.monoMs();
    return [...this.entries].map(([name, e]) => {
      const idle = e.idle();
      const silentMs = e.lastBeatMs === undefined ? null : now - e.lastBeatMs;
      return { name, idle, silentMs, maxSilenceMs: e.maxSilenceMs, ok: idle || (silentMs !== null && silentMs <= e.maxSilenceMs) };
    });
  }

  healthy(): boolean {
    return this.components().every((c) => c.ok);
  }

  /** One watchdog decision: ping when healthy; log the transition into and out of a stall. */
  tick(sink: WatchdogSink): boolean {
    const comps = this.components();
    const bad = comps.filter((c) => !c.ok);
    if (bad.length === 0) {
      if (this.stalled) this.log?.info('health.recovered');
      this.stalled = false;
      sink.watchdog();
      this.pings++;
      return true;
    }
    if (!this.stalled) this.log?.error({ stalled: bad.map((c) => ({ name: c.name, silentMs: c.silentMs })) }, 'health.stalled');
    this.stalled = true;
    return false;
  }

  /** Run tick() every `intervalMs` (use SdNotifier.watchdogIntervalMs(), capped at 1000 ms). */
  start(sink: WatchdogSink, intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => this.tick(sink), Math.min(intervalMs, 1000));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
