import { createAudioSource } from '../audio/capture.js';
import { SAMPLE_RATE_HZ, type AudioGap } from '../audio/types.js';
import type { FrozenConfig } from '../config/schema.js';
import { StoreSink } from '../pipeline/store-sink.js';
import type { MicHealth } from '../audio/mic-health.js';
import type { PipelineSegment } from '../pipeline/types.js';
import type { ParleyDb } from '../storage/db.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { CaptureRun } from './capture-run.js';
import type { Engines } from './engines.js';

export interface SessionControllerOptions {
  cfg: FrozenConfig;
  db: ParleyDb;
  engines: Engines;
  deviceId: string;
  logger: Logger;
  tier: () => string;
  onStored: () => void;
  /** Heartbeat for the watchdog and status (samples of audio processed). */
  onProgress: (samples: number) => void;
  /** Stages to skip now (tier actions); see Pipeline.deferStage. */
  deferStage?: (stageName: string) => boolean;
  /** Segment stored with deferred stages (spool its audio). */
  onDeferred?: (sessionId: string, seg: PipelineSegment, segmentId: string) => void;
  onSegmentCost?: (audioMs: number, processingMs: number) => void;
  /** Capture opened/closed, speech started/ended: the indicator and HA state follow these. */
  onStateChange?: () => void;
  /** Microphone health analyzer fed with every captured frame and gap. */
  mic?: MicHealth;
}

export type CaptureState = 'idle' | 'recording' | 'muted' | 'paused';

/**
 * Owns recording sessions and the capture that feeds them. Capture is open only while a
 * session is active and not muted/paused, so the indicator always shows the truth.
 */
export class SessionController {
  private sessionId: string | undefined;
  private sessionWallStartMs = 0;
  private run: CaptureRun | undefined;
  private sink: StoreSink | undefined;
  private softMuted = false;
  private hardMuted = false;
  /** Why capture is paused, by source ('tier', 'disk'); empty when it may run. */
  private readonly pauseReasons = new Map<string, string>();
  private speaking = false;
  private lastPosition = 0;
  gaps = 0;

  constructor(private readonly o: SessionControllerOptions) {}

  get activeSession(): string | undefined {
    return this.sessionId;
  }

  captureState(): CaptureState {
    if (this.run) return 'recording';
    if (this.hardMuted || this.softMuted) return 'muted';
    if (this.pauseReasons.size > 0) return 'paused';
    return 'idle';
  }

  describe(): Record<string, unknown> {
    return {
      session_id: this.sessionId ?? null,
      capture: this.captureState(),
      muted: this.softMuted || this.hardMuted,
      hard_muted: this.hardMuted,
      paused_reason: this.pauseReasons.size > 0 ? [...this.pauseReasons.values()].join('; ') : null,
      speaking: this.speaking && !!this.run,
      recording: !!this.run,
      segments_stored: this.sink?.stored ?? 0,
      last_speaker: this.sink?.lastSegment?.speaker ?? null,
      audio_gaps: this.gaps,
      source: this.run?.sourceStats() ?? null,
    };
  }

  lastSegment(): StoreSink['lastSegment'] {
    return this.sink?.lastSegment;
  }

  /** Segments waiting for their stages in the open capture (real-time pressure). */
  queueDepth(): number {
    return this.run?.pipeline.queueDepth() ?? 0;
  }

  queuedAudioMs(): number {
    return this.run?.pipeline.queuedAudioMs() ?? 0;
  }

  /** Processing totals of the open capture: VAD + stage time (ms) and audio seen (samples). */
  processingTotals(): { processingMs: number; samples: number } | undefined {
    if (!this.run) return undefined;
    const s = this.run.pipeline.getStats();
    return { processingMs: s.vadMs + Object.values(s.stageMs).reduce((a, b) => a + b, 0), samples: s.samplesIn };
  }

  async startSession(reason: string): Promise<{ session_id: string }> {
    if (this.sessionId) return { session_id: this.sessionId };
    this.sessionWallStartMs = Date.now();
    const { sessionId } = this.o.db.sessions.start({ source: this.o.cfg.audio.source, deviceId: this.o.deviceId, wallStartMs: this.sessionWallStartMs, meta: { reason } });
    this.sessionId = sessionId;
    this.lastPosition = 0;
    this.sink = new StoreSink({
      db: this.o.db, sessionId, deviceId: this.o.deviceId, logger: this.o.logger, tier: this.o.tier,
      wallStartMs: this.sessionWallStartMs, onStored: this.o.onStored, speechEvents: true,
      onDeferred: (seg, segmentId) => this.o.onDeferred?.(sessionId, seg, segmentId),
      onSegmentCost: this.o.onSegmentCost,
      onSpeaking: (sp) => {
        this.speaking = sp;
        this.o.onStateChange?.();
      },
    });
    this.o.logger.info({ sessionId, reason }, 'session.started');
    this.o.onStored();
    this.openCapture();
    return { session_id: sessionId };
  }

  async stopSession(reason: string): Promise<{ session_id: string | null; segments: number }> {
    const id = this.sessionId;
    if (!id) return { session_id: null, segments: 0 };
    await this.closeCapture();
    const stored = this.sink?.stored ?? 0;
    if (this.run === undefined && this.sink) {
      const stages = this.o.engines.stages;
      const ctrl = new AbortController();
      for (const stage of stages) {
        if (!stage.endSession) continue;
        try {
          const revs = await stage.endSession({ sessionId: id, tier: this.o.tier(), signal: ctrl.signal });
          if (revs.length > 0) this.sink.revise(revs);
        } catch (e) {
          this.o.logger.error({ stage: stage.name, err: (e as Error).message }, 'stage.end_session_failed');
        }
      }
    }
    this.o.db.sessions.end(id, Date.now());
    this.o.logger.info({ sessionId: id, reason, segments: stored }, 'session.ended');
    this.sessionId = undefined;
    this.sink = undefined;
    this.o.onStored();
    return { session_id: id, segments: stored };
  }

  async setMuted(muted: boolean, hard = false): Promise<void> {
    if (hard) this.hardMuted = muted;
    else {
      if (!muted && this.hardMuted) {
        throw new AppError('DEVICE', 'the hardware mute switch is on; it cannot be overridden remotely', { hint: 'release the mute on the device' });
      }
      this.softMuted = muted;
    }
    this.o.logger.info({ muted, hard }, muted ? 'capture.muted' : 'capture.unmuted');
    await this.reconcile();
  }

  /** Pause capture for `source` ('tier', 'disk') with a reason; undefined lifts that source's pause. */
  async setPaused(source: string, reason: string | undefined): Promise<void> {
    if (reason === this.pauseReasons.get(source)) return;
    if (reason === undefined) this.pauseReasons.delete(source);
    else this.pauseReasons.set(source, reason);
    this.o.logger.warn({ source, reason: reason ?? null }, reason ? 'capture.paused' : 'capture.resume_allowed');
    await this.reconcile();
  }

  async shutdown(): Promise<void> {
    await this.stopSession('shutdown');
  }

  private shouldCapture(): boolean {
    return !!this.sessionId && !this.softMuted && !this.hardMuted && this.pauseReasons.size === 0;
  }

  private async reconcile(): Promise<void> {
    if (this.shouldCapture() && !this.run) this.openCapture();
    else if (!this.shouldCapture() && this.run) await this.closeCapture();
  }

  private openCapture(): void {
    if (!this.shouldCapture() || this.run || !this.sessionId || !this.sink) return;
    // Session time keeps running while capture is closed (mute, pause): offset by wall time.
    const elapsed = Math.max(this.lastPosition, Math.round(((Date.now() - this.sessionWallStartMs) / 1000) * SAMPLE_RATE_HZ));
    const source = createAudioSource(this.o.cfg.audio, { logger: this.o.logger });
    const run = new CaptureRun({
      source, offsetSamples: elapsed, vad: this.o.engines.vad, stages: this.o.engines.stages, sink: this.sink,
      logger: this.o.logger, tier: this.o.tier, sessionId: this.sessionId, deferStage: this.o.deferStage,
      onProgress: (n) => {
        this.lastPosition = n;
        this.o.onProgress(n);
      },
      onFrame: this.o.mic ? (f) => this.o.mic?.push(f) : undefined,
      onGap: (g: AudioGap) => {
        this.gaps++;
        this.o.mic?.noteGap(g.durationMs);
        this.o.logger.warn({ startSample: g.startSample, durationMs: g.durationMs, reason: g.reason }, 'audio.gap');
      },
    });
    this.run = run;
    this.o.logger.info({ sessionId: this.sessionId, offsetSamples: elapsed, source: this.o.cfg.audio.source }, 'capture.opened');
    this.o.onStateChange?.();
    run.done.then(
      () => this.onRunEnded(run),
      (e: unknown) => {
        this.o.logger.error({ err: (e as Error).message }, 'capture.failed');
        this.onRunEnded(run);
      },
    );
  }

  private onRunEnded(run: CaptureRun): void {
    if (this.run !== run) return;
    this.run = undefined;
    this.lastPosition = Math.max(this.lastPosition, run.position());
    this.o.logger.info({ sessionId: this.sessionId ?? null }, 'capture.ended');
    this.o.onStateChange?.();
    // A file source that ran out ends its session (the input is complete).
    if (this.o.cfg.audio.source === 'file' && !this.o.cfg.audio.file_loop && this.sessionId) {
      void this.stopSession('end_of_input');
    }
  }

  private async closeCapture(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    await run.stop();
    this.lastPosition = Math.max(this.lastPosition, run.position());
    this.o.logger.info({ sessionId: this.sessionId ?? null }, 'capture.closed');
    this.o.onStateChange?.();
  }
}
