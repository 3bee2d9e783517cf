/**
 * src/jobs/parley-jobs.ts: registers parley's scheduled jobs from the `jobs` config section.
 * The supervisor supplies the actions; this file only decides when they run.
 *  - retention (runs once after missed slots), WAL checkpoint (TRUNCATE), backlog drain
 *    kick, heartbeat into status (also advances the ClockGuard);
 *  - scheduled sessions: start at the cron slot, stop after `duration_s` of monotonic time
 *    (a wall-clock jump does not shorten or stretch a meeting); a slot that comes while the
 *    same session still runs is skipped.
 * The OTA update check registers itself with `scheduler.registerJob(name, cron, fn)`.
 */
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import type { JobScheduler } from './scheduler.js';

export interface ParleyJobActions {
  retention(): void | Promise<void>;
  /** `db.checkpoint('TRUNCATE')`. */
  checkpoint(): void | Promise<void>;
  /** Wake the catch-up drainer (`CatchUp.kick()`). */
  backlogKick(): void;
  heartbeat(): void | Promise<void>;
  startSession(name: string, durationS: number): void | Promise<void>;
  stopSession(name: string): void | Promise<void>;
}

export interface SessionTimers {
  /** Names of scheduled sessions currently running. */
  active(): string[];
  /** Stop every running scheduled session now (shutdown). */
  stopAll(): Promise<void>;
}

export function registerParleyJobs(s: JobScheduler, cfg: Pick<FrozenConfig, 'jobs'>, a: ParleyJobActions, log?: Logger): SessionTimers {
  const j = cfg.jobs;
  s.registerJob('retention', j.retention_cron, () => a.retention(), { runMissed: true });
  s.registerJob('checkpoint', j.checkpoint_cron, () => a.checkpoint(), { runMissed: true });
  s.registerJob('backlog-drain', j.backlog_drain_cron, () => a.backlogKick(), { runMissed: true });
  s.registerJob('heartbeat', j.heartbeat_cron, () => a.heartbeat(), { runMissed: true });
  const running = new Map<string, NodeJS.Timeout>();
  for (const sess of j.sessions) {
    s.registerJob(`session:${sess.name}`, sess.cron, async () => {
      if (running.has(sess.name)) {
        log?.warn({ session: sess.name }, 'session.schedule_overlap');
        return;
      }
      await a.startSession(sess.name, sess.duration_s);
      const t = setTimeout(() => {
        running.delete(sess.name);
        void Promise.resolve(a.stopSession(sess.name)).catch((e: unknown) => log?.error({ err: e, session: sess.name }, 'session.stop_failed'));
      }, sess.duration_s * 1000);
      running.set(sess.name, t);
    });
  }
  return {
    active: () => [...running.keys()],
    async stopAll() {
      for (const [name, t] of running) {
        clearTimeout(t);
        running.delete(name);
        await a.stopSession(name);
      }
    },
  };
}
