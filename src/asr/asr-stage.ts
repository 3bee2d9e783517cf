/**
 * The ASR pipeline stage: fills text, confidence, words (session-absolute ms), engine,
 * model and `timingsMs.asr` of every segment with the recognizer the config selects for
 * the current degradation tier, and writes one latency record per utterance (log
 * `asr.latency` + SQLite asr_latency). Recognizer errors are re-thrown as typed AppErrors
 * after the latency record (outcome `error`): the caller decides between storing without
 * text and spooling to the backlog. Transcripts are logged only at debug.
 */
import type { AsrEngineName } from '../config/sections/asr.js';
import type { WorkerHost } from '../inference/worker-host.js';
import type { PipelineSegment, SegmentStage, StageContext } from '../pipeline/types.js';
import type { LatencyRecord, LatencyRepo } from '../storage/latency-repo.js';
import { toAppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { createRecognizer, engineForTier, type AsrFactoryConfig } from './create-recognizer.js';
import type { OfflineRecognizer } from './recognizer.js';

const SAMPLES_PER_MS = 16;

export interface AsrStageOptions {
  cfg: AsrFactoryConfig;
  host: WorkerHost | null;
  logger: Logger;
  /** One-run engine override (`--asr`). */
  engine?: AsrEngineName;
  /** SQLite sink for latency records (null: log only). */
  latency?: LatencyRepo | null;
  /** Monotonic clock in ms (performance.now by default). */
  nowMs?: () => number;
  /** Recognizer builder (defaults to createRecognizer); the key is `${engine}|${model}`. */
  build?: (tier: string) => Promise<OfflineRecognizer | null>;
  /**
   * A recognizer of another tier is unloaded once unused for this long (default 30 s), so a
   * tier change frees memory without reload churn when two callers (live + catch-up) alternate.
   */
  idleUnloadMs?: number;
}

export interface AsrStageStats {
  segments: number;
  withText: number;
  noSpeech: number;
  errors: number;
  audioMs: number;
  asrMs: number;
}

interface Slot {
  key: string;
  rec: Promise<OfflineRecognizer | null>;
  inFlight: number;
  lastUsedMonoMs: number;
}

export class AsrStage implements SegmentStage {
  readonly name = 'asr';
  private readonly slots = new Map<string, Slot>();
  private readonly now: () => number;
  private lastKey = '';
  private readonly statsValue: AsrStageStats = { segments: 0, withText: 0, noSpeech: 0, errors: 0, audioMs: 0, asrMs: 0 };
  private lastEngine = { engine: 'none', model: '' };

  private constructor(private readonly o: AsrStageOptions) {
    this.now = o.nowMs ?? (() => performance.now());
  }

  /** Build the stage and load the normal-tier recognizer now, so a missing model fails at start. */
  static async create(o: AsrStageOptions): Promise<AsrStage> {
    const stage = new AsrStage(o);
    const rec = await stage.slotFor('normal').rec;
    stage.lastEngine = { engine: rec?.engine ?? 'none', model: rec?.model ?? '' };
    return stage;
  }

  stats(): AsrStageStats {
    return { ...this.statsValue };
  }

  async process(segments: PipelineSegment[], ctx: StageContext): Promise<PipelineSegment[]> {
    const slot = this.slotFor(ctx.tier);
    slot.inFlight++;
    try {
      const rec = await slot.rec;
      this.lastEngine = { engine: rec?.engine ?? 'none', model: rec?.model ?? '' };
      const out: PipelineSegment[] = [];
      for (const seg of segments) out.push(rec ? await this.recognizeOne(rec, seg, ctx) : { ...seg, asrEngine: null, asrModel: null });
      return out;
    } finally {
      slot.inFlight--;
      slot.lastUsedMonoMs = this.now();
      await this.closeIdle();
    }
  }

  describe(): Record<string, unknown> {
    const s = this.statsValue;
    return { ...this.lastEngine, segments: s.segments, withText: s.withText, noSpeech: s.noSpeech, errors: s.errors, rtf: s.audioMs > 0 ? round(s.asrMs / s.audioMs, 4) : null };
  }

  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    for (const s of slots) await (await s.rec.catch(() => null))?.close();
  }

  private async recognizeOne(rec: OfflineRecognizer, seg: PipelineSegment, ctx: StageContext): Promise<PipelineSegment> {
    const startMono = this.now();
    const audioMs = seg.samples.length / SAMPLES_PER_MS;
    const base = {
      sessionId: ctx.sessionId, startSample: seg.startSample, endSample: seg.endSample, audioMs: round(audioMs, 1),
      captureMs: num(seg.timingsMs?.capture), vadMs: num(seg.timingsMs?.vad), queueMs: round(Math.max(0, startMono - seg.closedAtMonoMs), 1),
      engine: rec.engine, model: rec.model, tier: ctx.tier,
    };
    this.statsValue.segments++;
    try {
      const r = await rec.recognize(seg.samples, ctx.signal);
      const endMono = this.now();
      const asrMs = endMono - startMono;
      this.statsValue.audioMs += audioMs;
      this.statsValue.asrMs += asrMs;
      if (r) this.statsValue.withText++;
      else this.statsValue.noSpeech++;
      this.record({ ...base, asrMs: round(asrMs, 1), eosToFinalMs: round(endMono - seg.closedAtMonoMs, 1), rtf: rtf(asrMs, audioMs), outcome: r ? 'text' : 'no_speech' });
      if (r) this.o.logger.debug({ startSample: seg.startSample, text: r.text }, 'asr.text');
      const offsetMs = seg.startSample / SAMPLES_PER_MS;
      return {
        ...seg,
        text: r?.text ?? null,
        confidence: r?.confidence ?? null,
        words: r ? r.words.map((w) => ({ ...w, startMs: round(w.startMs + offsetMs, 1), endMs: round(w.endMs + offsetMs, 1) })) : null,
        asrEngine: rec.engine,
        asrModel: rec.model,
        timingsMs: { ...seg.timingsMs, asr: round(asrMs, 1) },
      };
    } catch (e) {
      const asrMs = this.now() - startMono;
      this.statsValue.errors++;
      this.record({ ...base, asrMs: round(asrMs, 1), eosToFinalMs: round(this.now() - seg.closedAtMonoMs, 1), rtf: rtf(asrMs, audioMs), outcome: 'error' });
      const err = toAppError(e, `asr ${rec.engine}`);
      this.o.logger.warn({ engine: rec.engine, code: err.code, err: err.message, startSample: seg.startSample }, 'asr.failed');
      throw err;
    }
  }

  private record(r: LatencyRecord): void {
    this.o.logger.info({ ...r }, 'asr.latency');
    if (!this.o.latency || !this.o.cfg.asr.record_latency) return;
    try {
      this.o.latency.insert(r);
    } catch (e) {
      // Metrics must never stop recognition; a full disk is reported by the storage component.
      this.o.logger.warn({ err: (e as Error).message }, 'asr.latency_store_failed');
    }
  }

  private slotFor(tier: string): Slot {
    const c = engineForTier(this.o.cfg.asr, tier, this.o.engine);
    const key = `${c.engine}|${c.model}`;
    let slot = this.slots.get(key);
    if (!slot) {
      const build = this.o.build ?? ((t: string) => createRecognizer(this.o.cfg, { host: this.o.host, engine: this.o.engine, tier: t, logger: this.o.logger }));
      slot = { key, rec: build(tier), inFlight: 0, lastUsedMonoMs: this.now() };
      this.slots.set(key, slot);
      // A failed load is not cached: the next segment tries again (the model may be fetched meanwhile).
      slot.rec.catch(() => { if (this.slots.get(key) === slot) this.slots.delete(key); });
    }
    this.lastKey = key;
    return slot;
  }

  /** Unload recognizers of other tiers once unused for idleUnloadMs (frees the model's memory). */
  private async closeIdle(): Promise<void> {
    const idleMs = this.o.idleUnloadMs ?? 30_000;
    for (const [key, slot] of this.slots) {
      if (key === this.lastKey || slot.inFlight > 0 || this.now() - slot.lastUsedMonoMs < idleMs) continue;
      this.slots.delete(key);
      const rec = await slot.rec.catch(() => null);
      await rec?.close();
      this.o.logger.info({ engine: rec?.engine ?? 'none', model: rec?.model ?? '' }, 'asr.engine_unloaded');
    }
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function num(v: number | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function rtf(asrMs: number, audioMs: number): number {
  return audioMs > 0 ? round(asrMs / audioMs, 4) : 0;
}
