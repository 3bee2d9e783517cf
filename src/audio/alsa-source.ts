/**
 * src/audio/alsa-source.ts — live capture from ALSA through `arecord` (see recorder.ts).
 *
 * Supervision: if arecord exits, fails to start, or delivers no bytes for `stall_timeout_ms`
 * (a fresh process gets max(stall_timeout_ms, FIRST_DATA_MIN_MS) for its first bytes),
 * it is killed (SIGKILL) and restarted after an exponential backoff with jitter
 * (`restart_backoff_initial_ms` .. `restart_backoff_max_ms`). The attempt counter resets once a
 * process has delivered audio for HEALTHY_RUN_MS. A missing `arecord` binary is fatal.
 *
 * Time: the sample clock counts 16 kHz samples since the first captured byte. Across a
 * restart it advances by the measured gap (last byte of the old process to the start of the
 * first chunk of the new one), so frame timestamps stay true; the gap is reported via
 * `onGap` and logged as `audio.gap` with `durationMs`.
 *
 * Buffering: frames go through a FrameQueue bounded by `max_buffered_ms` (drop-oldest,
 * counted in `framesDropped`, reported as a `buffer-overflow` gap).
 */
import type { FrozenConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { AudioSourceError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { FrameQueue, framesForMs } from './frame-queue.js';
import { Framer } from './framer.js';
import { spawnArecord, type RecorderProcess, type RecorderSpawner } from './recorder.js';
import { StreamingResampler } from './resampler.js';
import { backoffDelayMs } from '../util/backoff.js';
import { S16Decoder } from './s16-decoder.js';
import { SAMPLE_RATE_HZ, type AudioFrame, type AudioGap, type AudioSource, type AudioSourceStats } from './types.js';

const HEALTHY_RUN_MS = 5000;
/** A freshly spawned recorder gets at least this long to deliver its first bytes (slow start on a busy board). */
const FIRST_DATA_MIN_MS = 2000;
const STOP_GRACE_MS = 1000;

export interface AlsaSourceOptions {
  logger: Logger;
  clock?: Clock;
  /** Replaces arecord (tests use fake recorders for T18 faults). */
  spawnRecorder?: RecorderSpawner;
  random?: () => number;
  /** After this much audio from one process, compare the byte rate with the configured rate (default 10000). */
  rateCheckAfterMs?: number;
}

type AudioConfig = FrozenConfig['audio'];

export class AlsaSource implements AudioSource {
  readonly kind = 'alsa' as const;
  onGap?: (gap: AudioGap) => void;
  private readonly cfg: AudioConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly spawn: RecorderSpawner;
  private readonly random: () => number;
  private readonly counters = { framesEmitted: 0, restarts: 0, gaps: 0 };
  private queue: FrameQueue | undefined;
  private framer = new Framer();
  private decoder: S16Decoder;
  private resampler: StreamingResampler | undefined;
  private proc: RecorderProcess | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private lastDataMs: number | undefined;
  private procFirstDataMs: number | undefined;
  private procBytesAfterFirst = 0;
  private rateChecked = false;
  private readonly rateCheckAfterMs: number;
  private gapPending = false;
  private stopping = false;
  private running = false;

  constructor(cfg: AudioConfig, opts: AlsaSourceOptions) {
    this.cfg = cfg;
    this.log = opts.logger;
    this.clock = opts.clock ?? systemClock;
    this.spawn = opts.spawnRecorder ?? spawnArecord;
    this.random = opts.random ?? Math.random;
    this.rateCheckAfterMs = opts.rateCheckAfterMs ?? 10_000;
    this.decoder = new S16Decoder(cfg.capture_channels);
    this.resampler = cfg.capture_rate_hz === SAMPLE_RATE_HZ ? undefined : new StreamingResampler(cfg.capture_rate_hz, SAMPLE_RATE_HZ);
  }

  stats(): AudioSourceStats {
    return { ...this.counters, framesDropped: this.queue?.dropped ?? 0, gaps: this.counters.gaps };
  }

  /** Pid of the running arecord (tests kill it to exercise restarts). */
  get recorderPid(): number | undefined {
    return this.proc?.pid;
  }

  readyFrames(): number {
    return this.queue?.length ?? 0;
  }

  async *frames(signal: AbortSignal): AsyncGenerator<AudioFrame> {
    if (this.running) throw new AudioSourceError('alsa source is already running');
    this.running = true;
    this.stopping = false;
    const queue = new FrameQueue(framesForMs(this.cfg.max_buffered_ms), (g) => {
      this.log.warn({ startSample: g.startSample, durationMs: g.durationMs }, 'audio.frames_dropped');
      this.emitGap(g);
    });
    this.queue = queue;
    const onAbort = (): void => queue.end();
    signal.addEventListener('abort', onAbort, { once: true });
    this.startProcess();
    try {
      for await (const f of queue.drain(signal)) {
        this.counters.framesEmitted++;
        yield f;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await this.stop();
      this.running = false;
    }
  }

  private startProcess(): void {
    if (this.stopping) return;
    this.restartTimer = undefined;
    const { device, capture_rate_hz: rateHz, capture_channels: channels } = this.cfg;
    let proc: RecorderProcess;
    try {
      proc = this.spawn({ device, rateHz, channels });
    } catch (e) {
      this.fatal(new AudioSourceError(`cannot start arecord: ${(e as Error).message}`, { cause: e }));
      return;
    }
    this.proc = proc;
    this.procFirstDataMs = undefined;
    this.procBytesAfterFirst = 0;
    this.rateChecked = false;
    this.decoder.reset();
    this.log.info({ device, rateHz, channels, pid: proc.pid, attempt: this.attempt }, 'audio.capture_started');
    proc.stdout.on('data', (chunk: Buffer) => this.onData(proc, chunk));
    proc.onExit((code, sig, error) => {
      if (this.proc !== proc || this.stopping) return;
      if (error?.code === 'ENOENT') {
        this.fatal(new AudioSourceError('arecord was not found on PATH', { cause: error, retryable: false, hint: 'install alsa-utils (apt-get install alsa-utils)' }));
        return;
      }
      const reason = error ? `spawn failed: ${error.message}` : `arecord exited (code ${code}, signal ${sig})`;
      this.restart(reason, proc.stderrTail());
    });
    this.armStall(proc, Math.max(this.cfg.stall_timeout_ms, FIRST_DATA_MIN_MS));
  }

  /** Unrecoverable: stop supervising and fail the consumer's iteration. */
  private fatal(err: AudioSourceError): void {
    clearTimeout(this.stallTimer);
    clearTimeout(this.restartTimer);
    this.proc = undefined;
    this.stopping = true;
    this.log.error({ err: err.message }, 'audio.capture_failed');
    this.queue?.fail(err);
  }

  private onData(proc: RecorderProcess, chunk: Buffer): void {
    if (this.proc !== proc || this.stopping) return;
    const now = this.clock.monoMs();
    const frameBytes = 2 * this.cfg.capture_channels;
    const chunkMs = (chunk.length / frameBytes / this.cfg.capture_rate_hz) * 1000;
    if (this.procFirstDataMs === undefined) {
      this.procFirstDataMs = now;
      if (this.gapPending && this.lastDataMs !== undefined) {
        const durationMs = Math.max(0, now - chunkMs - this.lastDataMs);
        const gap: AudioGap = { startSample: this.framer.clockSamples, durationMs, reason: 'capture-restart' };
        this.pushFrames(this.framer.gap((durationMs * SAMPLE_RATE_HZ) / 1000));
        this.emitGap(gap);
      }
      this.gapPending = false;
    } else {
      if (now - this.procFirstDataMs >= HEALTHY_RUN_MS) this.attempt = 0;
      this.procBytesAfterFirst += chunk.length;
      this.checkRate(now);
    }
    this.lastDataMs = now;
    const mono = this.decoder.push(chunk);
    const out = this.resampler ? this.resampler.process(mono) : mono;
    this.pushFrames(this.framer.push(out));
    this.armStall(proc, this.cfg.stall_timeout_ms);
  }

  /**
   * T18 "wrong sample rate": a device running at another rate than configured (a plug device
   * misconfigured, a USB mic ignoring the request) makes every timestamp wrong. Once per
   * process, after rateCheckAfterMs, compare the byte rate with the configured rate and warn
   * (`audio.rate_mismatch`) when they differ by more than 10 %.
   */
  private checkRate(now: number): void {
    const elapsedMs = now - this.procFirstDataMs!;
    if (this.rateChecked || elapsedMs < this.rateCheckAfterMs) return;
    this.rateChecked = true;
    const measuredHz = this.procBytesAfterFirst / (2 * this.cfg.capture_channels) / (elapsedMs / 1000);
    const expectedHz = this.cfg.capture_rate_hz;
    if (Math.abs(measuredHz / expectedHz - 1) > 0.1) {
      this.log.warn({ expectedHz, measuredHz: Math.round(measuredHz), device: this.cfg.device }, 'audio.rate_mismatch');
    }
  }

  private pushFrames(frames: AudioFrame[]): void {
    for (const f of frames) this.queue?.push(f);
  }

  private emitGap(gap: AudioGap): void {
    this.counters.gaps++;
    if (gap.reason !== 'buffer-overflow') this.log.warn({ startSample: gap.startSample, durationMs: Math.round(gap.durationMs), reason: gap.reason }, 'audio.gap');
    this.onGap?.(gap);
  }

  private armStall(proc: RecorderProcess, timeoutMs: number): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (this.proc !== proc || this.stopping) return;
      this.log.warn({ pid: proc.pid, stallTimeoutMs: timeoutMs, firstData: this.procFirstDataMs === undefined }, 'audio.stall');
      this.restart(`no audio for ${timeoutMs} ms`, proc.stderrTail());
    }, timeoutMs);
  }

  private restart(reason: string, stderr: string): void {
    const old = this.proc;
    this.proc = undefined;
    clearTimeout(this.stallTimer);
    old?.kill('SIGKILL');
    // Close the old stream's time line: emit the resampler's held-back samples.
    if (this.resampler) {
      this.pushFrames(this.framer.push(this.resampler.flush()));
      this.resampler.reset();
    }
    if (this.lastDataMs !== undefined) this.gapPending = true;
    this.attempt++;
    this.counters.restarts++;
    const delayMs = backoffDelayMs(this.attempt, this.cfg.restart_backoff_initial_ms, this.cfg.restart_backoff_max_ms, this.random);
    this.log.warn({ reason, stderr: stderr || undefined, attempt: this.attempt, delayMs }, 'audio.capture_restart');
    this.restartTimer = setTimeout(() => this.startProcess(), delayMs);
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.stallTimer);
    clearTimeout(this.restartTimer);
    const proc = this.proc;
    this.proc = undefined;
    this.queue?.end();
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const grace = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      proc.onExit(() => {
        clearTimeout(grace);
        resolve();
      });
      proc.kill('SIGTERM');
    });
    this.log.info({ pid: proc.pid }, 'audio.capture_stopped');
  }
}
