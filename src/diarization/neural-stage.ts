import { existsSync } from 'node:fs';
import type { WorkerHost } from '../inference/worker-host.js';
import type { PipelineSegment, SegmentRevision, SegmentStage, StageContext } from '../pipeline/types.js';
import { AppError, ModelMissingError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { agglomerative, dot, refineKMeans } from './clustering.js';
import type { DiarizationConfig } from './diarization-stage.js';
import { activityCuts, similarityCuts } from './neural-change.js';
import type { Voiceprint } from './offline-recluster.js';

interface Piece {
  startSample: number;
  endSample: number;
  durationS: number;
  unit: Float64Array;
  label: string;
}

export interface NeuralStageOptions {
  host: WorkerHost;
  logger: Logger;
  knownSpeakers?: number;
  voiceprints?: readonly Voiceprint[];
}

const ENGINE_ID = 'diarization.embedding';
const SEG_ID = 'diarization.segmentation';
const SR = 16000;

interface SegInfo { windowSamples: number; receptiveFieldSize: number; receptiveFieldShift: number; numSpeakers: number }

function unitOf(v: ArrayLike<number>): Float64Array {
  const u = Float64Array.from(v as ArrayLike<number>);
  const n = Math.sqrt(dot(u, u)) || 1;
  for (let i = 0; i < u.length; i++) u[i] /= n;
  return u;
}

/**
 * Diarization with a neural speaker-embedding model in the inference child. A segment of
 * at least twice min_segment_ms is split at speaker changes: with the pyannote
 * segmentation model when `segmentation_model` is set (per-frame speaker activity of each
 * window), otherwise where the embeddings of adjacent window_ms windows disagree
 * (cosine below `neural_threshold`). Each piece is embedded once and labelled live by
 * cosine similarity to running speaker centroids (never the speaker of the piece before
 * a change point); at session end all pieces are re-clustered (cosine, average linkage)
 * and revised. Enrolled voiceprints of the same engine are matched by cosine similarity
 * >= `neural_enroll_similarity`.
 */
export class NeuralDiarizationStage implements SegmentStage {
  readonly name = 'diarization';
  private readonly pieces: Piece[] = [];
  private readonly centroids: { sum: Float64Array; name: string }[] = [];
  private unknownCount = 0;

  private constructor(private readonly cfg: DiarizationConfig, private readonly o: NeuralStageOptions, private readonly info: Record<string, unknown>,
    private readonly seg: SegInfo | null) {}

  static async create(cfg: DiarizationConfig, o: NeuralStageOptions): Promise<NeuralDiarizationStage> {
    if (cfg.embedding_model === '') {
      throw new AppError('DIARIZATION', 'diarization.engine is neural but diarization.embedding_model is empty', { hint: 'install a speaker-embedding model or use --diarize builtin' });
    }
    if (!existsSync(cfg.embedding_model)) throw new ModelMissingError(cfg.embedding_model);
    if (cfg.segmentation_model !== '' && !existsSync(cfg.segmentation_model)) throw new ModelMissingError(cfg.segmentation_model);
    await o.host.load(ENGINE_ID, { kind: 'diarization.embedding', options: { model: cfg.embedding_model } });
    const info = await o.host.call<Record<string, unknown>>(ENGINE_ID, 'info');
    let seg: SegInfo | null = null;
    if (cfg.segmentation_model !== '') {
      await o.host.load(SEG_ID, { kind: 'diarization.segmentation', options: { model: cfg.segmentation_model } });
      seg = await o.host.call<SegInfo>(SEG_ID, 'info');
    }
    return new NeuralDiarizationStage(cfg, o, info, seg);
  }

  describe(): Record<string, unknown> {
    return {
      engine: 'neural', model: this.cfg.embedding_model, ...this.info,
      change_points: this.seg ? `segmentation model ${this.cfg.segmentation_model}` : 'embedding similarity of adjacent windows',
      live_speakers: this.centroids.length, pieces_kept: this.pieces.length,
    };
  }

  private nameFor(u: Float64Array): string | null {
    let best: string | null = null;
    let bs = this.cfg.neural_enroll_similarity;
    for (const v of this.o.voiceprints ?? []) {
      if (v.embedding.length !== u.length) continue;
      const s = dot(u, unitOf(v.embedding));
      if (s >= bs) {
        bs = s;
        best = v.name;
      }
    }
    return best;
  }

  async process(segments: PipelineSegment[], ctx: StageContext): Promise<PipelineSegment[]> {
    const out: PipelineSegment[] = [];
    for (const seg of segments) {
      const t0 = performance.now();
      const cuts = await this.cuts(seg.samples);
      if (ctx.signal.aborted) break;
      const bounds = [0, ...cuts, seg.samples.length];
      let prev = -1;
      for (let k = 0; k + 1 < bounds.length; k++) {
        const samples = seg.samples.subarray(bounds[k], bounds[k + 1]);
        const raw = await this.o.host.call<Float32Array>(ENGINE_ID, 'embed', [samples]);
        if (ctx.signal.aborted) break;
        const startSample = seg.startSample + bounds[k];
        const { name, similarity, index } = this.label(unitOf(raw), startSample, startSample + samples.length, prev);
        prev = index;
        out.push({
          ...seg, startSample, endSample: startSample + samples.length, samples, speaker: name,
          speakerConfidence: Math.max(0, Math.min(1, similarity)), embedding: raw,
          timingsMs: { ...(seg.timingsMs ?? {}), diarize: (performance.now() - t0) / (bounds.length - 1) },
        });
      }
      if (cuts.length > 0) this.o.logger.debug({ startSample: seg.startSample, pieces: cuts.length + 1 }, 'diarization.split');
    }
    return out;
  }

  /** Live label of one piece; `exclude` is the centroid of the piece before a change point in the same segment. */
  private label(u: Float64Array, startSample: number, endSample: number, exclude: number): { name: string; similarity: number; index: number } {
    const durationS = (endSample - startSample) / SR;
    let best = -1;
    let bs = -Infinity;
    this.centroids.forEach((c, i) => {
      if (i === exclude) return;
      const s = dot(u, unitOf(c.sum));
      if (s > bs) {
        bs = s;
        best = i;
      }
    });
    const maxSpk = this.o.knownSpeakers ?? this.cfg.max_speakers;
    const short = durationS * 1000 < this.cfg.min_segment_ms && exclude < 0;
    if (best < 0 && exclude >= 0 && this.centroids.length >= maxSpk) {
      best = exclude;
      bs = dot(u, unitOf(this.centroids[exclude].sum));
    } else if (best < 0 || (!short && bs < this.cfg.neural_threshold && this.centroids.length < maxSpk)) {
      this.centroids.push({ sum: new Float64Array(u.length), name: this.nameFor(u) ?? `unknown-${++this.unknownCount}` });
      best = this.centroids.length - 1;
      bs = 1;
    }
    const c = this.centroids[best];
    if (!short) for (let d = 0; d < u.length; d++) c.sum[d] += durationS * u[d];
    this.pieces.push({ startSample, endSample, durationS, unit: u, label: c.name });
    if (this.pieces.length > this.cfg.max_offline_items) this.pieces.shift();
    return { name: c.name, similarity: bs, index: best };
  }

  /** Change points (sample offsets) inside one segment; none for segments shorter than twice min_segment_ms. */
  private async cuts(samples: Float32Array): Promise<number[]> {
    const minSamples = Math.round((this.cfg.min_segment_ms / 1000) * SR);
    if (samples.length < 2 * minSamples) return [];
    if (this.seg) {
      const W = this.seg.windowSamples;
      const g = { shift: this.seg.receptiveFieldShift, size: this.seg.receptiveFieldSize };
      const cuts: number[] = [];
      for (let off = 0; off < samples.length; off += W) {
        const chunk = samples.subarray(off, off + W);
        const { frames, active } = await this.o.host.call<{ frames: number; active: Uint8Array }>(SEG_ID, 'activity', [chunk]);
        // frames past the end of a short (zero-padded) last chunk are not audio
        const used = Math.min(frames, Math.max(0, Math.floor((chunk.length - g.size) / g.shift) + 1));
        for (const t of activityCuts(active, used, this.seg.numSpeakers, g, minSamples, chunk.length)) {
          const at = off + t;
          if (samples.length - at >= minSamples && (cuts.length === 0 || at - cuts[cuts.length - 1] >= minSamples)) cuts.push(at);
        }
      }
      return cuts;
    }
    const W = Math.round((this.cfg.window_ms / 1000) * SR);
    const step = Math.round((Math.max(this.cfg.hop_ms, this.cfg.window_ms / 4) / 1000) * SR);
    if (samples.length < 2 * W) return [];
    const units: Float64Array[] = [];
    for (let s = 0; s + W <= samples.length; s += step) units.push(unitOf(await this.o.host.call<Float32Array>(ENGINE_ID, 'embed', [samples.subarray(s, s + W)])));
    return similarityCuts(units, step, W, this.cfg.neural_threshold, minSamples, samples.length);
  }

  async endSession(_ctx: StageContext): Promise<SegmentRevision[]> {
    if (this.pieces.length === 0) return [];
    const vecs = this.pieces.map((p) => p.unit);
    const w = this.pieces.map((p) => p.durationS);
    const labels = refineKMeans(vecs, agglomerative(vecs, {
      threshold: this.cfg.neural_threshold, numClusters: this.o.knownSpeakers, maxClusters: this.cfg.max_speakers, weights: w,
    }), 5, w);
    const K = Math.max(...labels) + 1;
    const names: string[] = [];
    const used = new Set<string>();
    for (let k = 0; k < K; k++) {
      const sum = new Float64Array(vecs[0].length);
      const votes = new Map<string, number>();
      this.pieces.forEach((p, i) => {
        if (labels[i] !== k) return;
        for (let d = 0; d < sum.length; d++) sum[d] += w[i] * p.unit[d];
        votes.set(p.label, (votes.get(p.label) ?? 0) + w[i]);
      });
      const enrolled = this.nameFor(unitOf(sum));
      const vote = [...votes.entries()].filter(([n]) => !used.has(n)).sort((a, b) => b[1] - a[1])[0]?.[0];
      const name = enrolled && !used.has(enrolled) ? enrolled : vote ?? `unknown-${++this.unknownCount}`;
      used.add(name);
      names.push(name);
    }
    const revs: SegmentRevision[] = [];
    this.pieces.forEach((p, i) => {
      if (names[labels[i]] !== p.label) {
        p.label = names[labels[i]];
        revs.push({ startSample: p.startSample, endSample: p.endSample, speaker: p.label });
      }
    });
    this.o.logger.info({ pieces: this.pieces.length, speakers: K, revised: revs.length }, 'diarization.reclustered');
    return revs;
  }

  async close(): Promise<void> {
    await this.o.host.unload(ENGINE_ID);
    if (this.seg) await this.o.host.unload(SEG_ID);
  }
}
