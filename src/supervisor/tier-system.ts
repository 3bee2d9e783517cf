/**
 * src/supervisor/tier-system.ts: everything budgets-related the supervisor needs, built
 * from config in one place: monitor → tier controller (+ disk budget on every sample),
 * backlog + catch-up, ClockGuard, job scheduler with parley's jobs, watchdog health.
 * The supervisor supplies the actions (apply tier actions, start/stop sessions, retention
 * store, heartbeat) and feeds pipeline figures and heartbeats in.
 * Catch-up drains only in a tier whose `asr` action is `normal` (deferred work never competes
 * with a pipeline that is already under pressure).
 */
import { dirname, join } from 'node:path';
import type { FrozenConfig } from '../config/schema.js';
import { ClockGuard } from '../jobs/clock-guard.js';
import { registerParleyJobs, type SessionTimers } from '../jobs/parley-jobs.js';
import { runRetention, type RetentionStore } from '../jobs/retention.js';
import { JobScheduler } from '../jobs/scheduler.js';
import { SystemMetricsSource, type MetricsSource } from '../monitor/metrics-source.js';
import { Monitor } from '../monitor/monitor.js';
import { CatchUp, type SegmentReviser } from '../pipeline/catch-up.js';
import type { SegmentStage } from '../pipeline/types.js';
import type { SdNotifier } from '../platform/sd-notify.js';
import { BacklogRepo, type EnqueueResult } from '../storage/backlog-repo.js';
import { DiskBudget, type DiskStatus } from '../storage/disk-budget.js';
import type Database from 'better-sqlite3';
import type { RootLogger } from '../util/logger.js';
import { Health } from './health.js';
import { startTierRuntime } from './tier-runtime.js';
import { TierController, type TierActions, type TierChange, type TierName } from './tiers.js';

export interface TierSystemDeps {
  cfg: FrozenConfig;
  db: { db: Database.Database; segments: SegmentReviser; checkpoint(mode?: 'PASSIVE' | 'TRUNCATE'): unknown };
  logger: RootLogger;
  /** Deferred stages run by catch-up (diarization, ASR), in order. */
  stages: SegmentStage[];
  /** Apply a tier's actions (swap ASR bundle, partials, threads, stop/start capture). */
  onTierChange(change: TierChange, actions: TierActions): void;
  /** Capture must pause (or may resume) because of the disk reserve. */
  onDiskCapture?(paused: boolean, reason: string): void;
  retentionStore: RetentionStore;
  startSession(name: string, durationS: number): void | Promise<void>;
  stopSession(name: string): void | Promise<void>;
  /** Write the status heartbeat (the tier system's status() is a good payload part). */
  heartbeat?(): void | Promise<void>;
  notifier?: SdNotifier;
  /** Tests: a MetricsSource other than the system one. */
  source?: MetricsSource;
}

export interface TierSystemStatus {
  tier: TierName;
  reason: string;
  actions: TierActions;
  captureAllowed: boolean;
  disk: DiskStatus | undefined;
  backlog: { queued: number; bytes: number; etaS: number | null; dropped: number; failed: number };
  watchdogHealthy: boolean;
}

export class TierSystem {
  readonly source: MetricsSource;
  readonly monitor: Monitor;
  readonly tiers: TierController;
  readonly backlog: BacklogRepo;
  readonly catchUp: CatchUp;
  readonly disk: DiskBudget;
  readonly guard: ClockGuard;
  readonly scheduler: JobScheduler;
  readonly health: Health;
  private sessions: SessionTimers | undefined;
  private lastDisk: DiskStatus | undefined;

  constructor(private readonly d: TierSystemDeps) {
    const { cfg } = d;
    const log = d.logger.child('tiers');
    const dataDir = cfg.monitor.data_dir !== '' ? cfg.monitor.data_dir : dirname(cfg.storage.db_path);
    const backlogDir = join(cfg.storage.audio_dir, 'backlog');
    this.source = d.source ?? new SystemMetricsSource(cfg);
    this.monitor = new Monitor(this.source, cfg.monitor.interval_ms, log);
    this.tiers = new TierController(cfg.tiers, performance.now());
    this.backlog = new BacklogRepo({ db: d.db.db, dir: backlogDir, maxBytes: cfg.budgets.backlog_max_mb * 1024 * 1024, dropPolicy: cfg.budgets.backlog_drop_policy, log: d.logger.child('backlog') });
    this.catchUp = new CatchUp({ db: d.db, stages: d.stages, backlog: this.backlog, logger: d.logger.child('catchup'), canRun: () => this.tiers.actions().asr === 'normal', pollMs: 2000 });
    this.disk = new DiskBudget({
      dataDir, audioDir: cfg.storage.audio_dir, protectDirs: [backlogDir], reserveMb: cfg.budgets.disk_reserve_mb,
      resumeMarginMb: cfg.budgets.disk_resume_margin_mb, retentionTargetMb: cfg.budgets.disk_retention_target_mb,
      onAudioDeleted: (p) => d.retentionStore.forgetAudio?.(p), log: d.logger.child('disk'),
    });
    this.disk.onChange((s) => d.onDiskCapture?.(s.capturePaused, s.reason));
    this.guard = new ClockGuard({ stateFile: join(dataDir, 'clock-guard.json'), maxJumpS: cfg.jobs.max_clock_jump_s, log });
    this.scheduler = new JobScheduler({ log: d.logger.child('jobs'), ...(cfg.jobs.timezone ? { timezone: cfg.jobs.timezone } : {}) });
    this.health = new Health(undefined, d.logger.child('health'));
    startTierRuntime({
      monitor: this.monitor, controller: this.tiers, log,
      onChange: (change, actions) => {
        d.onTierChange(change, actions);
        d.notifier?.status(this.statusLine());
        this.catchUp.kick();
      },
    });
    this.monitor.onReadings(() => {
      try {
        this.lastDisk = this.disk.check();
      } catch (e) {
        log.error({ err: e }, 'disk.check_failed');
      }
    });
  }

  /** Repair the backlog, start sampling, catch-up, jobs and (under systemd) the watchdog. */
  start(): void {
    this.backlog.recover();
    this.guard.observe();
    this.monitor.start();
    this.catchUp.start();
    if (this.d.cfg.jobs.enabled) {
      this.sessions = registerParleyJobs(this.scheduler, this.d.cfg, {
        retention: () => { runRetention({ guard: this.guard, disk: this.disk, store: this.d.retentionStore, audioDir: this.d.cfg.storage.audio_dir, protectDirs: [join(this.d.cfg.storage.audio_dir, 'backlog')], audioRetentionDays: this.d.cfg.budgets.audio_retention_days, transcriptRetentionDays: this.d.cfg.budgets.transcript_retention_days, log: this.d.logger.child('retention') }); },
        checkpoint: () => { this.d.db.checkpoint('TRUNCATE'); },
        backlogKick: () => this.catchUp.kick(),
        heartbeat: async () => { this.guard.observe(); await this.d.heartbeat?.(); },
        startSession: this.d.startSession,
        stopSession: this.d.stopSession,
      }, this.d.logger.child('jobs'));
      this.scheduler.start();
    }
    const wd = this.d.notifier?.watchdogIntervalMs();
    if (this.d.notifier && wd !== undefined) this.health.start(this.d.notifier, wd);
  }

  /** Stop in reverse order; the catch-up item in flight returns to queued. */
  async stop(): Promise<void> {
    this.health.stop();
    await this.scheduler.stop();
    await this.sessions?.stopAll();
    await this.catchUp.stop();
    this.monitor.stop();
  }

  /** Spool a stored segment's audio for deferred processing (when `actions().asr === 'deferred'`). */
  spool(item: { sessionId: string; segmentId?: string | null; startSample: number; endSample: number; samples: Float32Array }): EnqueueResult {
    const r = this.backlog.enqueue(item);
    this.catchUp.kick();
    return r;
  }

  /** Capture may run: the tier allows it and the disk is above its reserve. */
  captureAllowed(): boolean {
    return this.tiers.actions().capture && !this.disk.capturePaused();
  }

  status(): TierSystemStatus {
    const snap = this.tiers.snapshot();
    const cu = this.catchUp.stats();
    const b = this.backlog.stats();
    return {
      tier: snap.tier, reason: snap.lastReason, actions: snap.actions, captureAllowed: this.captureAllowed(), disk: this.lastDisk,
      backlog: { queued: cu.queued, bytes: cu.bytes, etaS: cu.etaS, dropped: b.dropped, failed: b.failed }, watchdogHealthy: this.health.healthy(),
    };
  }

  /** One line for systemd's STATUS=. */
  statusLine(): string {
    const s = this.status();
    return `tier ${s.tier}; backlog ${s.backlog.queued} items${s.backlog.etaS !== null ? ` (eta ${s.backlog.etaS} s)` : ''}${s.disk?.capturePaused ? '; capture paused: disk' : ''}`;
  }
}
