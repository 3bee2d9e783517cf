import { existsSync } from 'node:fs';
import type { WorkerHost } from '../inference/worker-host.js';
import type { PipelineSegment, SegmentRevision, SegmentStage, StageContext } from '../pipeline/types.js';
import { AppError, ModelMissingError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { agglomerative, dot, refineKMeans } from './clustering.js';
import type { DiarizationConfig } from './diarization-stage.js';
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

function unitOf(v: ArrayLike<number>): Float64Array {
  const u = Float64Array.from(v as ArrayLike<number>);
  const n = Math.sqrt(dot(u, u)) || 1;
  for (let i = 0; i < u.length; i++) u[i] /= n;
  return u;
}

/**
 * Diarization with a neural speaker-embedding model in the inference child: one
 * embedding per segment (no change-point split yet), live labels by cosine similarity to
 * running speaker centroids (`neural_threshold`), session-end agglomerative re-clustering
 * (cosine, average linkage) with revisions. Enrolled voiceprints of the same engine are
 * matched by cosine similarity >= `neural_enroll_similarity`.
 */
export class NeuralDiarizationStage implements SegmentStage {
  readonly name = 'diarization';
  private readonly pieces: Piece[] = [];
  private readonly centroids: { sum: Float64Array; name: string }[] = [];
  private unknownCount = 0;

  private constructor(private readonly cfg: DiarizationConfig, private readonly o: NeuralStageOptions, private readonly info: Record<string, unknown>) {}

  static async create(cfg: DiarizationConfig, o: NeuralStageOptions): Promise<NeuralDiarizationStage> {
    if (cfg.embedding_model === '') {
      throw new AppError('DIARIZATION', 'diarization.engine is neural but diarization.embedding_model is empty', { hint: 'install a speaker-embedding model or use --diarize builtin' });
    }
    if (!existsSync(cfg.embedding_model)) throw new ModelMissingError(cfg.embedding_model);
    await o.host.load(ENGINE_ID, { kind: 'diarization.embedding', options: { model: cfg.embedding_model } });
    const info = await o.host.call<Record<string, unknown>>(ENGINE_ID, 'info');
    return new NeuralDiarizationStage(cfg, o, info);
  }

  describe(): Record<string, unknown> {
    return { engine: 'neural', model: this.cfg.embedding_model, ...this.info, live_speakers: this.centroids.length, pieces_kept: this.pieces.length };
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
      const raw = await this.o.host.call<Float32Array>(ENGINE_ID, 'embed', [seg.samples]);
      if (ctx.signal.aborted) break;
      const u = unitOf(raw);
      const durationS = (seg.endSample - seg.startSample) / 16000;
      let best = -1;
      let bs = -Infinity;
      this.centroids.forEach((c, i) => {
        const s = dot(u, unitOf(c.sum));
        if (s > bs) {
          bs = s;
          best = i;
        }
      });
      const maxSpk = this.o.knownSpeakers ?? this.cfg.max_speakers;
      const short = durationS * 1000 < this.cfg.min_segment_ms;
      if (best < 0 || (!short && bs < this.cfg.neural_threshold && this.centroids.length < maxSpk)) {
        this.centroids.push({ sum: new Float64Array(u.length), name: this.nameFor(u) ?? `unknown-${++this.unknownCount}` });
        best = this.centroids.length - 1;
        bs = 1;
      }
      const c = this.centroids[best];
      if (!short) for (let d = 0; d < u.length; d++) c.sum[d] += durationS * u[d];
      this.pieces.push({ startSample: seg.startSample, endSample: seg.endSample, durationS, unit: u, label: c.name });
      if (this.pieces.length > this.cfg.max_offline_items) this.pieces.shift();
      out.push({ ...seg, speaker: c.name, speakerConfidence: Math.max(0, Math.min(1, bs)), embedding: raw, timingsMs: { ...(seg.timingsMs ?? {}), diarize: performance.now() - t0 } });
    }
    return out;
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
  }
}
