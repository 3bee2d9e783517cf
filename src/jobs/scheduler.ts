/**
 * src/jobs/scheduler.ts: cron jobs that survive clock jumps. node-cron 4 parses and matches
 * the expressions (`createTask`, never started: its runner is not used), this file arms the
 * timers. Why: node-cron's runner enumerates every superseded slot after a forward jump
 * (`planBeat` pushes each one into an array); measured here with faketime, a +1 year jump
 * on a 2-second task blocked the event loop and grew RSS past 880 MB within seconds. An
 * RTC-less Pi that boots in 1970 and then syncs NTP does exactly that.
 * Guarantees:
 *  - missed slots (forward jump, blocked loop) are reported once per wake, counted from the
 *    gap (no enumeration), and a job with `runMissed` runs once to catch up;
 *  - nothing runs twice: no overlap (noOverlap), and a slot that comes round again because
 *    the wall clock went back is skipped when less than half a period of monotonic time has
 *    passed since the job last ran;
 *  - a wall/monotonic divergence over `jumpThresholdMs` is reported (`onClockJump`).
 * Timers are capped at 60 s so a jump is noticed within a minute whatever the schedule.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { systemClock, type Clock } from '../platform/clock.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export interface JobContext {
  name: string;
  /** The wall-clock slot this run belongs to. */
  slotWallMs: number;
  /** True when this run catches up missed slots. */
  catchUp: boolean;
}

export type JobFn = (ctx: JobContext) => void | Promise<void>;

export interface JobOptions {
  /** Run once after missed slots (maintenance jobs). Default false (e.g. sessions are not started late). */
  runMissed?: boolean;
}

export interface JobStats {
  name: string;
  cron: string;
  runs: number;
  failures: number;
  missed: number;
  overlaps: number;
  duplicatesSkipped: number;
  running: boolean;
  lastRunWallMs: number | null;
  lastDurationMs: number | null;
  nextRunWallMs: number | null;
}

export interface SchedulerOptions {
  clock?: Clock;
  log?: Logger;
  timezone?: string;
  /** Wall-vs-monotonic divergence reported as a clock jump. Default 5000 ms. */
  jumpThresholdMs?: number;
  /** How late a slot may fire and still count as on time. Default 2000 ms. */
  toleranceMs?: number;
  onClockJump?: (jumpMs: number) => void;
  onMissed?: (name: string, missedSlots: number) => void;
}

interface Job {
  name: string;
  expr: string;
  fn: JobFn;
  opts: JobOptions;
  task: ScheduledTask;
  periodMs: number;
  timer: NodeJS.Timeout | undefined;
  expectedMs: number | undefined;
  armedWallMs: number;
  armedMonoMs: number;
  running: Promise<void> | undefined;
  lastSlotMs: number | undefined;
  lastRunMonoMs: number | undefined;
  stats: JobStats;
}

const MAX_TIMER_MS = 60_000;

export class JobScheduler {
  private readonly jobs = new Map<string, Job>();
  private started = false;
  private readonly clock: Clock;

  constructor(private readonly o: SchedulerOptions = {}) {
    this.clock = o.clock ?? systemClock;
  }

  /** Add a job (also after start(): the OTA update check registers itself this way). */
  registerJob(name: string, expr: string, fn: JobFn, opts: JobOptions = {}): void {
    if (this.jobs.has(name)) throw new AppError('USAGE', `job "${name}" is already registered`);
    if (!cron.validate(expr)) throw new AppError('USAGE', `job "${name}": invalid cron expression "${expr}"`, { hint: 'five or six fields, e.g. "*/5 * * * *"' });
    const task = cron.createTask(expr, () => undefined, { name, ...(this.o.timezone ? { timezone: this.o.timezone } : {}) });
    const next = task.getNextRuns(6).map((d) => d.getTime());
    let periodMs = Number.POSITIVE_INFINITY;
    for (let i = 1; i < next.length; i++) periodMs = Math.min(periodMs, (next[i] as number) - (next[i - 1] as number));
    const job: Job = {
      name, expr, fn, opts, task, periodMs: Number.isFinite(periodMs) ? periodMs : 86_400_000,
      timer: undefined, expectedMs: undefined, armedWallMs: 0, armedMonoMs: 0, running: undefined, lastSlotMs: undefined, lastRunMonoMs: undefined,
      stats: { name, cron: expr, runs: 0, failures: 0, missed: 0, overlaps: 0, duplicatesSkipped: 0, running: false, lastRunWallMs: null, lastDurationMs: null, nextRunWallMs: null },
    };
    this.jobs.set(name, job);
    if (this.started) this.arm(job, true);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const j of this.jobs.values()) this.arm(j, true);
  }

  /** Stop arming; waits (bounded) for running jobs to finish. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.started = false;
    for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
    const running = [...this.jobs.values()].map((j) => j.running).filter((p): p is Promise<void> => p !== undefined);
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    for (const j of this.jobs.values()) await j.task.destroy();
  }

  /** Run a job now (CLI/MQTT command); refused while it is already running. */
  async runNow(name: string): Promise<boolean> {
    const j = this.jobs.get(name);
    if (!j) throw new AppError('USAGE', `no job named "${name}"`);
    return this.execute(j, this.clock.wallMs(), false, true);
  }

  stats(): JobStats[] {
    return [...this.jobs.values()].map((j) => ({ ...j.stats, running: j.running !== undefined, nextRunWallMs: j.expectedMs ?? null }));
  }

  /** Compute the next slot after now and sleep towards it (at most MAX_TIMER_MS at a time). */
  private arm(j: Job, fresh: boolean): void {
    if (!this.started) return;
    const now = this.clock.wallMs();
    if (fresh || j.expectedMs === undefined) j.expectedMs = j.task.getNextRuns(1)[0]?.getTime();
    if (j.expectedMs === undefined) return;
    j.armedWallMs = now;
    j.armedMonoMs = this.clock.monoMs();
    const delay = Math.max(0, Math.min(j.expectedMs - now, MAX_TIMER_MS));
    j.timer = setTimeout(() => this.wake(j), delay);
    j.timer.unref();
  }

  private wake(j: Job): void {
    const now = this.clock.wallMs();
    const jump = now - j.armedWallMs - (this.clock.monoMs() - j.armedMonoMs);
    if (Math.abs(jump) > (this.o.jumpThresholdMs ?? 5000)) {
      this.o.log?.warn({ job: j.name, jumpMs: Math.round(jump) }, 'clock.jump');
      this.o.onClockJump?.(jump);
    }
    const expected = j.expectedMs as number;
    if (now < expected) {
      // Not due yet, or the wall clock went back: recompute from now (the slot may have moved).
      this.arm(j, jump < -(this.o.jumpThresholdMs ?? 5000));
      return;
    }
    const lateBy = now - expected;
    if (lateBy <= (this.o.toleranceMs ?? 2000) && lateBy < j.periodMs) {
      void this.execute(j, expected, false, false);
    } else {
      const missed = 1 + Math.floor(lateBy / j.periodMs);
      j.stats.missed += missed;
      this.o.log?.warn({ job: j.name, missedSlots: missed, firstMissedWallMs: expected, approx: j.periodMs !== Number.POSITIVE_INFINITY }, 'job.missed');
      this.o.onMissed?.(j.name, missed);
      if (j.opts.runMissed) void this.execute(j, expected, true, false);
    }
    this.arm(j, true);
  }

  private async execute(j: Job, slotMs: number, catchUp: boolean, manual: boolean): Promise<boolean> {
    if (j.running) {
      j.stats.overlaps++;
      this.o.log?.warn({ job: j.name }, 'job.overlap_skipped');
      return false;
    }
    const mono = this.clock.monoMs();
    if (!manual && j.lastSlotMs !== undefined && slotMs <= j.lastSlotMs && j.lastRunMonoMs !== undefined && mono - j.lastRunMonoMs < j.periodMs / 2) {
      j.stats.duplicatesSkipped++;
      this.o.log?.warn({ job: j.name, slotWallMs: slotMs }, 'job.duplicate_skipped');
      return false;
    }
    j.lastSlotMs = slotMs;
    j.lastRunMonoMs = mono;
    const t0 = this.clock.monoMs();
    const run = (async () => {
      try {
        await j.fn({ name: j.name, slotWallMs: slotMs, catchUp });
        j.stats.runs++;
      } catch (e) {
        j.stats.failures++;
        this.o.log?.error({ job: j.name, err: e }, 'job.failed');
      } finally {
        j.stats.lastRunWallMs = this.clock.wallMs();
        j.stats.lastDurationMs = Math.round(this.clock.monoMs() - t0);
        j.running = undefined;
      }
    })();
    j.running = run;
    await run;
    return true;
  }
}
