import { hostname } from 'node:os';
import type { FrozenConfig } from '../config/schema.js';
import { MqttService, type CommandHandlers } from '../mqtt/mqtt-service.js';
import { resolveDeviceId } from '../mqtt/topics.js';
import { openDatabase, type ParleyDb } from '../storage/db.js';
import { parleyVersion } from '../cli/version.js';
import type { ConfigIssue } from '../util/errors.js';
import type { RootLogger } from '../util/logger.js';
import { MicHealth } from '../audio/mic-health.js';
import { SdNotifier } from '../platform/sd-notify.js';
import { createTierSystem } from './budget-wiring.js';
import { buildEngines, type Engines } from './engines.js';
import { IndicatorWiring } from './indicator-wiring.js';
import { OtaWiring } from './ota-wiring.js';
import type { TierSystem } from './tier-system.js';
import { SessionController } from './session-controller.js';

/** Time constant of the live real-time factor, in ms of audio. */
const RTF_TAU_MS = 60000;

export interface SupervisorOptions {
  cfg: FrozenConfig;
  logs: RootLogger;
  /** Set when the service runs on a fallback config because the real one is invalid. */
  safeMode?: { errors: ConfigIssue[]; configFile?: string };
}

/**
 * The supervisor: owns config, SQLite (the only writer), the inference children, capture
 * and sessions, MQTT, and later budgets, schedules, serial and OTA. Starts in phases that a
 * signal can abort; stops in reverse order within a bound.
 */
export class Supervisor {
  readonly deviceId: string;
  private db: ParleyDb | undefined;
  private engines: Engines | undefined;
  private mqtt: MqttService | undefined;
  private sessions: SessionController | undefined;
  private readonly startedMonoMs = performance.now();
  private tierName = 'normal';
  private lastProgressMonoMs = 0;
  private stopped = false;
  private stopMaintenance: (() => void) | undefined;
  private tiers: TierSystem | undefined;
  private indicator: IndicatorWiring | undefined;
  private ota: OtaWiring | undefined;
  private readonly mic = new MicHealth();
  private micWarnings = '';
  private readonly notifier: SdNotifier;
  /** Decayed processing and audio time for the live real-time factor (time constant RTF_TAU_MS of audio). */
  private readonly cost = { audioMs: 0, processingMs: 0, lastProcessingMs: 0, lastSamples: 0 };

  constructor(private readonly o: SupervisorOptions) {
    this.deviceId = resolveDeviceId(o.cfg.device.id, hostname);
    this.notifier = new SdNotifier({ log: o.logs.child('sdnotify') });
  }

  private get log() {
    return this.o.logs.child('supervisor');
  }

  /** Phases: database → inference + models → MQTT → sessions/capture. Abortable between phases. */
  async start(signal: AbortSignal): Promise<void> {
    const { cfg, logs } = this.o;
    this.log.info({ version: parleyVersion(), deviceId: this.deviceId, safeMode: !!this.o.safeMode }, 'supervisor.starting');
    this.db = openDatabase(cfg.storage, { logger: logs.child('storage') });
    signal.throwIfAborted();
    this.stopMaintenance = this.db.startMaintenance();
    this.log.info({ path: cfg.storage.db_path }, 'phase.db_ready');
    if (!this.o.safeMode) {
      this.ota = new OtaWiring(cfg, logs, parleyVersion(), () => !!this.sessions?.activeSession);
      const vadModelPath = await this.ota.recover();
      signal.throwIfAborted();
      this.engines = await buildEngines(cfg, logs, { vadModelPath }, signal, this.db);
      this.log.info({ engines: this.engines.describe() }, 'phase.models_ready');
    }
    signal.throwIfAborted();
    if (cfg.mqtt.enabled) {
      this.mqtt = new MqttService({
        cfg: cfg.mqtt, deviceId: this.deviceId, db: this.db, logger: logs.child('mqtt'),
        status: () => this.status(), commands: this.commandHandlers(), version: parleyVersion(),
      });
      this.mqtt.start();
      this.log.info({ url: cfg.mqtt.url }, 'phase.mqtt_started');
    }
    signal.throwIfAborted();
    if (this.engines) {
      const engines = this.engines;
      const db = this.db;
      this.tiers = createTierSystem({
        cfg, db, logs, engines, sessions: () => this.sessions, notifier: this.notifier,
        setTier: (t) => {
          this.tierName = t;
        },
        publishStatus: () => this.mqtt?.publishStatus(),
      });
      const tiers = this.tiers;
      this.sessions = new SessionController({
        cfg, db, engines, deviceId: this.deviceId, logger: logs.child('session'),
        tier: () => this.tierName,
        onStored: () => this.mqtt?.notifyOutbox(),
        onProgress: () => {
          this.lastProgressMonoMs = performance.now();
          this.reportCost();
          tiers.health.beat('capture');
          tiers.health.beat('inference');
        },
        deferStage: (name) => name === 'asr' && tiers.tiers.actions().asr === 'deferred',
        onDeferred: (sessionId, seg, segmentId) => {
          tiers.spool({ sessionId, segmentId, startSample: seg.startSample, endSample: seg.endSample, samples: seg.samples });
        },
        mic: this.mic,
        onSegmentCost: () => {
          this.reportCost();
          this.ota?.healthy();
        },
        onStateChange: () => {
          this.indicator?.refresh();
          this.mqtt?.publishStatus();
        },
      });
      if (cfg.serial.enabled) {
        this.indicator = new IndicatorWiring({
          cfg, logger: logs.child('serial'), sessions: () => this.sessions,
          failing: () => engines.vadHost.state === 'degraded' || engines.asrHost.state === 'degraded',
          updating: () => this.ota?.busy() ?? false,
          onChange: () => undefined,
        });
        await this.indicator.start();
      }
      tiers.start();
      this.ota?.attach({ db, engines, tiers, deviceId: this.deviceId, notify: () => this.mqtt?.notifyOutbox(), logs });
      signal.throwIfAborted();
      if (cfg.session.mode === 'continuous') await this.sessions.startSession('continuous');
    }
    this.notifier.ready(this.tiers?.statusLine() ?? 'safe mode');
    this.log.info({ capture: this.sessions?.captureState() ?? 'off' }, 'supervisor.ready');
  }

  /**
   * The live real-time factor: processing time (VAD + stages) per second of audio that went
   * by, silence included, over a decaying window of about a minute of audio. Above 1 the
   * pipeline falls behind; the queued audio shows how far. Per-segment cost alone would
   * overstate it (a 1 s utterance may take 1 s to decode while the room is silent after it).
   */
  private reportCost(): void {
    const t = this.sessions?.processingTotals();
    if (!t) return;
    if (t.processingMs < this.cost.lastProcessingMs) {
      // a new capture run started: its totals begin at zero
      this.cost.lastProcessingMs = 0;
      this.cost.lastSamples = t.samples;
    }
    const dProc = Math.max(0, t.processingMs - this.cost.lastProcessingMs);
    const dAudioMs = Math.max(0, ((t.samples - this.cost.lastSamples) / 16000) * 1000);
    this.cost.lastProcessingMs = t.processingMs;
    this.cost.lastSamples = t.samples;
    if (dAudioMs === 0 && dProc === 0) return;
    const decay = Math.exp(-dAudioMs / RTF_TAU_MS);
    this.cost.audioMs = this.cost.audioMs * decay + dAudioMs;
    this.cost.processingMs = this.cost.processingMs * decay + dProc;
    if (this.cost.audioMs < 5000) return; // not enough audio yet for a meaningful figure
    this.tiers?.source.reportPipeline({
      rtf: this.cost.processingMs / this.cost.audioMs,
      queueDepth: this.sessions?.queueDepth() ?? 0,
      queueDurationMs: this.sessions?.queuedAudioMs() ?? 0,
    });
  }

  status(): Record<string, unknown> {
    const s = this.sessions?.describe() ?? { capture: 'off' };
    const last = this.sessions?.lastSegment();
    const t = this.tiers?.status();
    return {
      state: this.o.safeMode ? 'safe_mode' : this.stopped ? 'stopping' : 'running',
      errors: this.o.safeMode?.errors ?? [],
      version: parleyVersion(),
      device_id: this.deviceId,
      uptime_s: Math.round((performance.now() - this.startedMonoMs) / 1000),
      tier: this.tierName,
      tier_reason: t?.reason ?? null,
      backlog: t?.backlog ?? null,
      disk: t?.disk ?? null,
      watchdog_healthy: t?.watchdogHealthy ?? null,
      cpu_temp_c: this.tiers?.monitor.latest()?.maxTempC ?? null,
      ...this.micStatus(),
      last_transcript: last?.text ?? null,
      ...s,
      last_progress_age_ms: this.lastProgressMonoMs ? Math.round(performance.now() - this.lastProgressMonoMs) : null,
      models: this.engines?.describe() ?? {},
      inference: { vad: this.engines?.vadHost.health() ?? null, asr: this.engines?.asrHost.health() ?? null },
      mqtt: this.mqtt?.stats() ?? null,
      ota: this.ota?.status() ?? null,
      serial: this.indicator ? { led: this.indicator.device.ledState(), ...this.indicator.device.stats() } : null,
    };
  }

  /** Microphone level, noise floor, clipping and dropouts; a change in warnings is logged. */
  private micStatus(): Record<string, unknown> {
    if (!this.sessions || this.sessions.captureState() !== 'recording') return { mic: null, mic_warnings: [] };
    const report = this.mic.report();
    const warnings = this.mic.warnings(report);
    const key = warnings.join('|');
    if (key !== this.micWarnings) {
      this.micWarnings = key;
      this.log.warn({ warnings, report }, 'mic.warning');
    }
    return { mic: report, mic_warnings: warnings };
  }

  private commandHandlers(): CommandHandlers {
    const need = (): SessionController => {
      if (!this.sessions) throw new Error('capture is not available (safe mode)');
      return this.sessions;
    };
    return {
      'session/start': async () => need().startSession('command'),
      'session/stop': async () => need().stopSession('command'),
      mute: async () => {
        await need().setMuted(true);
        this.mqtt?.publishStatus();
        return { muted: true };
      },
      unmute: async () => {
        await need().setMuted(false);
        this.mqtt?.publishStatus();
        return { muted: false };
      },
      status: async () => this.status(),
      ...(this.ota?.commands() ?? {}),
    };
  }

  /** Reverse order: capture and sessions (flush, re-cluster), MQTT (offline), inference, database. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log.info({}, 'supervisor.stopping');
    this.notifier.stopping('stopping');
    try {
      await this.sessions?.shutdown();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'session.shutdown_failed');
    }
    await this.indicator?.stop().catch(() => undefined);
    await this.ota?.stop().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'ota.stop_failed'));
    await this.tiers?.stop().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'tiers.stop_failed'));
    await this.mqtt?.stop().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'mqtt.stop_failed'));
    await this.engines?.close();
    this.stopMaintenance?.();
    this.db?.close();
    await this.notifier.close();
    this.log.info({}, 'supervisor.stopped');
  }
}
