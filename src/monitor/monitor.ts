/**
 * src/monitor/monitor.ts: samples a MetricsSource every `monitor.interval_ms` and hands
 * each snapshot to listeners (the tier engine, status). One sample at a time: a slow
 * read never overlaps the next one.
 */
import type { Logger } from '../util/logger.js';
import type { MetricsSource } from './metrics-source.js';
import type { Readings } from './readings.js';

export type ReadingsListener = (r: Readings) => void;

export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private last: Readings | undefined;
  private readonly listeners: ReadingsListener[] = [];

  constructor(private readonly source: MetricsSource, private readonly intervalMs: number, private readonly log?: Logger) {}

  onReadings(fn: ReadingsListener): void {
    this.listeners.push(fn);
  }

  /** Latest snapshot (undefined before the first sample). */
  latest(): Readings | undefined {
    return this.last;
  }

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Take one sample now and notify listeners; skipped when a sample is still running. */
  async sample(): Promise<Readings | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const r = await this.source.readAll();
      this.last = r;
      for (const fn of this.listeners) {
        try {
          fn(r);
        } catch (e) {
          this.log?.error({ err: e }, 'monitor.listener_failed');
        }
      }
      return r;
    } finally {
      this.busy = false;
    }
  }
}
