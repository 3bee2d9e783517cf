/**
 * src/vad/vad.ts — supervisor-side voice activity detection: sends audio frames to the
 * Silero engine in the inference child (one IPC call per batch of frames), feeds the
 * probabilities to the streaming Segmenter and returns speech_start / speech_end events.
 *
 * `init` loads the engine from a verified bundle and runs the golden-output check before
 * any audio is processed; a mismatch unloads the engine and throws ModelIntegrityError.
 */
import { FRAME_SAMPLES, SAMPLE_RATE_HZ, type AudioFrame } from '../audio/types.js';
import type { FrozenConfig } from '../config/schema.js';
import type { WorkerHost } from '../inference/worker-host.js';
import { resolveBundle, type ResolvedBundle } from '../models/model-store.js';
import { AppError, ModelIntegrityError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { GoldenResult } from './golden.js';
import { Segmenter, type VadEvent } from './segmenter.js';

export type { VadEvent } from './segmenter.js';

/** Minimal slice of WorkerHost the VAD needs (tests may pass a real host only). */
export type VadHost = Pick<WorkerHost, 'load' | 'unload' | 'call'>;

export class Vad {
  private readonly segmenter: Segmenter;
  private readonly engineId: string;
  private nextSample: number | undefined;
  private loaded = false;
  private bundleName = '';

  constructor(private readonly host: VadHost, cfg: FrozenConfig['vad'], private readonly logger: Logger, engineId = 'vad') {
    this.engineId = engineId;
    this.segmenter = new Segmenter({
      threshold: cfg.threshold,
      negThreshold: cfg.neg_threshold,
      minSpeechMs: cfg.min_speech_ms,
      minSilenceMs: cfg.min_silence_ms,
      speechPadMs: cfg.speech_pad_ms,
      maxSegmentMs: cfg.max_segment_ms,
      sampleRateHz: SAMPLE_RATE_HZ,
    });
  }

  /**
   * Convenience: resolve (verify) the bundle named by `cfg.vad.model`, then `init` it.
   * Throws ModelMissingError / ModelIntegrityError / ModelLoadError with the fix.
   */
  static async create(host: VadHost, cfg: Pick<FrozenConfig, 'vad' | 'models'>, logger: Logger, engineId = 'vad'): Promise<Vad> {
    const vad = new Vad(host, cfg.vad, logger, engineId);
    await vad.init(await resolveBundle(cfg, cfg.vad.model));
    return vad;
  }

  /** Load the Silero engine from a verified bundle, then run the golden-output check. */
  async init(bundle: ResolvedBundle): Promise<void> {
    if (bundle.role !== 'vad') throw new AppError('MODEL_LOAD', `bundle ${bundle.name} has role ${bundle.role}, not vad`, { hint: 'set vad.model to a VAD bundle (parley models list)' });
    const onnx = Object.entries(bundle.files).find(([base]) => base.endsWith('.onnx'));
    if (!onnx) throw new AppError('MODEL_LOAD', `bundle ${bundle.name} has no .onnx file`);
    const modelPath = onnx[1];
    if (!bundle.golden) {
      throw new ModelIntegrityError(modelPath, `bundle ${bundle.name} has no golden-output expectation in the manifest`, {
        hint: 'every VAD bundle needs a `golden` entry (see docs/models.md)',
      });
    }
    const t0 = performance.now();
    try {
      // The engine runs the golden check itself right after creating the session, so a
      // reload after a child restart is checked too.
      await this.host.load(this.engineId, { kind: 'vad.silero', options: { modelPath, sampleRateHz: SAMPLE_RATE_HZ, golden: bundle.golden } });
    } catch (e) {
      const code = (e as AppError).code;
      this.logger.error({ bundle: bundle.name, code, err: (e as Error).message }, code === 'MODEL_INTEGRITY' ? 'vad.golden_failed' : 'vad.load_failed');
      await this.host.unload(this.engineId).catch(() => undefined);
      throw e;
    }
    const info = await this.host.call<{ io: string; golden?: GoldenResult }>(this.engineId, 'info');
    this.logger.info({ bundle: bundle.name, io: info.io, goldenMaxAbsDiff: info.golden?.maxAbsDiff, loadMs: Math.round(performance.now() - t0) }, 'vad.loaded');
    this.loaded = true;
    this.bundleName = bundle.name;
  }

  /** Name of the loaded bundle ('' before init). */
  get model(): string {
    return this.bundleName;
  }

  /**
   * Process frames (each FRAME_SAMPLES long, in sample-clock order). Frames are sent in
   * one IPC call per contiguous run; a discontinuity resets the model state.
   */
  async push(frames: AudioFrame[]): Promise<VadEvent[]> {
    if (!this.loaded) throw new AppError('INTERNAL', 'Vad.push before init');
    const events: VadEvent[] = [];
    let i = 0;
    while (i < frames.length) {
      let j = i + 1;
      while (j < frames.length && frames[j].startSample === frames[j - 1].startSample + FRAME_SAMPLES) j++;
      const run = frames.slice(i, j);
      if (this.nextSample !== undefined && run[0].startSample !== this.nextSample) await this.host.call(this.engineId, 'reset');
      const audio = new Float32Array(run.length * FRAME_SAMPLES);
      run.forEach((f, k) => {
        if (f.samples.length !== FRAME_SAMPLES) throw new RangeError(`VAD frames must have ${FRAME_SAMPLES} samples, got ${f.samples.length}`);
        audio.set(f.samples, k * FRAME_SAMPLES);
      });
      const probs = await this.host.call<Float32Array>(this.engineId, 'probs', [audio]);
      this.log(this.segmenter.push(run, probs), events);
      this.nextSample = run[run.length - 1].startSample + FRAME_SAMPLES;
      i = j;
    }
    return events;
  }

  /** End of input: close any open segment. */
  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    this.log(this.segmenter.flush(), events);
    this.nextSample = undefined;
    return events;
  }

  /** Start a new stream: drop the open segment and reset the model state. */
  reset(): void {
    this.segmenter.reset();
    this.nextSample = undefined;
    if (this.loaded) void this.host.call(this.engineId, 'reset').catch(() => undefined);
  }

  private log(ev: VadEvent[], into: VadEvent[]): void {
    for (const e of ev) {
      if (e.type === 'speech_start') this.logger.debug({ startSample: e.startSample }, 'vad.speech_start');
      else {
        const s = e.segment;
        this.logger.debug({ startSample: s.startSample, endSample: s.endSample, durationMs: Math.round(((s.endSample - s.startSample) * 1000) / SAMPLE_RATE_HZ), closeReason: s.closeReason }, 'vad.speech_end');
      }
      into.push(e);
    }
  }
}
