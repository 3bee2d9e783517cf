import type { Static } from '@sinclair/typebox';
import type { DiarizationSection } from '../config/sections/diarization.js';
import type { PipelineSegment, SegmentRevision, SegmentStage, StageContext } from '../pipeline/types.js';
import type { Logger } from '../util/logger.js';
import { BuiltinEmbedder, scaledDistance } from './builtin-embedder.js';
import { detectChangePoints } from './change-points.js';
import { absorbShortRuns, resegmentCuts, toRuns } from './resegment.js';
import type { CepstralFrames } from './features.js';
import { matchVoiceprint, rawCentroids, reclusterOffline, type OfflineItem, type Voiceprint } from './offline-recluster.js';
import { OnlineClusterer } from './online-clusterer.js';

export type DiarizationConfig = Static<typeof DiarizationSection>;

interface Piece {
  startSample: number;
  endSample: number;
  durationS: number;
  label: string;
  /** Embedding of the whole piece. */
  raw: Float32Array;
  /** Sliding-window embeddings inside the piece (what the re-clustering clusters). */
  windows: OfflineItem[];
}

export interface BuiltinStageOptions {
  logger: Logger;
  /** Known speaker count (`--speakers N`) for the session-end re-clustering. */
  knownSpeakers?: number;
  voiceprints?: readonly Voiceprint[];
}

const SR = 16000;

/**
 * Diarization with the built-in embedding. `process` splits each segment at
 * speaker change points and labels every piece from the session's speaker centroids
 * (live); `endSession` re-clusters all pieces and returns revisions for pieces whose
 * speaker changed. Enrolled voices get their names; others are `unknown-N`.
 */
export class BuiltinDiarizationStage implements SegmentStage {
  readonly name = 'diarization';
  private readonly emb = new BuiltinEmbedder();
  private online: OnlineClusterer;
  private onlineNames: string[] = [];
  private pieces: Piece[] = [];
  private unknownCount = 0;
  private windowCount = 0;
  private readonly voiceprints: readonly Voiceprint[];

  constructor(private readonly cfg: DiarizationConfig, private readonly opts: BuiltinStageOptions) {
    this.voiceprints = opts.voiceprints ?? [];
    this.online = this.newOnline();
  }

  private newOnline(): OnlineClusterer {
    return new OnlineClusterer({
      threshold: this.cfg.online_threshold,
      maxSpeakers: this.opts.knownSpeakers ?? this.cfg.max_speakers,
      minNewSpeakerS: this.cfg.min_segment_ms / 1000,
    });
  }

  describe(): Record<string, unknown> {
    return {
      engine: 'builtin', embedding: this.emb.name, offline_method: this.cfg.offline_method,
      known_speakers: this.opts.knownSpeakers ?? null, enrolled: this.voiceprints.length,
      live_speakers: this.online.speakers.length, pieces_kept: this.pieces.length, windows_kept: this.windowCount,
    };
  }

  async process(segments: PipelineSegment[], _ctx: StageContext): Promise<PipelineSegment[]> {
    const out: PipelineSegment[] = [];
    for (const seg of segments) {
      const t0 = performance.now();
      const pieces = this.split(seg);
      const ms = (performance.now() - t0) / pieces.length;
      for (const p of pieces) out.push({ ...p, timingsMs: { ...(seg.timingsMs ?? {}), diarize: ms } });
    }
    return out;
  }

  /** Split one segment at change points and label each piece online. */
  private split(seg: PipelineSegment): PipelineSegment[] {
    const c = this.emb.analyze(seg.samples);
    const fps = this.emb.framesPerSecond(c);
    const minFrames = Math.round((this.cfg.min_segment_ms / 1000) * fps);
    const cuts = c.frames < 2 * minFrames ? [] : this.cfg.change_method === 'clustering' ? this.cutsByClustering(c, fps, minFrames)
      : detectChangePoints(this.emb, c, {
        contextFrames: Math.round((this.cfg.change_context_ms / 1000) * fps),
        hopFrames: Math.max(1, Math.round((this.cfg.change_step_ms / 1000) * fps)),
        minFrames,
        threshold: this.cfg.change_threshold,
      });
    const bounds = [0, ...cuts, c.frames];
    const res: PipelineSegment[] = [];
    let prevId = -1;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const s0 = k === 0 ? 0 : bounds[k] * c.hopSamples;
      const s1 = k + 2 === bounds.length ? seg.samples.length : bounds[k + 1] * c.hopSamples;
      if (s1 <= s0) continue;
      const raw = this.emb.pool(c, bounds[k], bounds[k + 1]);
      const durationS = (s1 - s0) / SR;
      // a change point separates two speakers: the piece after it is not the one before
      const d = this.online.assign(raw, durationS, prevId);
      prevId = d.id;
      const label = this.onlineLabel(d.id);
      const windows = this.windows(c, bounds[k], bounds[k + 1], fps);
      this.remember({ startSample: seg.startSample + s0, endSample: seg.startSample + s1, durationS, label, raw, windows });
      res.push({
        ...seg,
        startSample: seg.startSample + s0,
        endSample: seg.startSample + s1,
        samples: seg.samples.subarray(s0, s1),
        speaker: label,
        speakerConfidence: Math.max(0, Math.min(1, 1 - d.distance / (2 * this.cfg.online_threshold))),
        embedding: raw,
      });
    }
    if (cuts.length > 0) this.opts.logger.debug({ startSample: seg.startSample, pieces: res.length }, 'diarization.split');
    return res;
  }

  /**
   * Change points from clustering: the segment's sliding windows are clustered together
   * with the session's most recent windows (context_windows). When the segment holds
   * more than one speaker, it is resegmented with short windows against those speakers'
   * centroids (reseg_window_ms > 0, the default); otherwise label runs shorter than
   * min_segment_ms are absorbed by their longer neighbour and cuts go halfway between the
   * centres of the last window of one run and the first of the next, moved to the
   * strongest statistics change within refine_ms.
   */
  private cutsByClustering(c: CepstralFrames, fps: number, minFrames: number): number[] {
    const win = Math.round((this.cfg.window_ms / 1000) * fps);
    const hop = Math.max(1, Math.round((this.cfg.hop_ms / 1000) * fps));
    if (c.frames <= win + hop) return [];
    const starts: number[] = [];
    for (let s = 0; s + win <= c.frames; s += hop) starts.push(s);
    const cur = this.itemsAt(c, starts, win, fps, starts.map(() => hop / fps));
    const ctx: OfflineItem[] = [];
    for (let i = this.pieces.length - 1; i >= 0 && ctx.length < this.cfg.context_windows; i--) ctx.push(...this.pieces[i].windows);
    const items = [...ctx, ...cur];
    const all = reclusterOffline(items, {
      method: this.cfg.offline_method, threshold: this.cfg.offline_threshold, maxSpeakers: this.cfg.max_speakers,
      numSpeakers: this.opts.knownSpeakers, minItemS: 0, maxCore: this.cfg.max_cluster_items,
      minClusterS: this.cfg.min_speaker_ms / 1000, minClusterFraction: this.cfg.min_speaker_fraction,
    });
    const labels = all.slice(ctx.length);
    const runs = absorbShortRuns(toRuns(labels), hop, minFrames);
    if (this.cfg.reseg_window_ms > 0 && runs.length > 1) {
      return resegmentCuts(this.emb, c, items, all, ctx.length, {
        windowFrames: Math.round((this.cfg.reseg_window_ms / 1000) * fps),
        hopFrames: Math.max(1, Math.round((this.cfg.reseg_hop_ms / 1000) * fps)),
        switchPenalty: this.cfg.reseg_switch_penalty,
        minFrames,
      });
    }
    const cuts: number[] = [];
    for (let i = 1; i < runs.length; i++) {
      const t = this.refineCut(c, Math.round((starts[runs[i - 1].last] + starts[runs[i].first]) / 2 + win / 2), hop, fps);
      if (t >= minFrames && c.frames - t >= minFrames && (cuts.length === 0 || t - cuts[cuts.length - 1] >= minFrames)) cuts.push(t);
    }
    return cuts;
  }

  /** Move a cut to the strongest statistics change within +/- refine_ms (change_context_ms of context each side). */
  private refineCut(c: CepstralFrames, t: number, hop: number, fps: number): number {
    const span = Math.round((this.cfg.refine_ms / 1000) * fps);
    if (span <= 0) return t;
    const L = Math.round((this.cfg.change_context_ms / 1000) * fps);
    let best = t;
    let bestScore = -Infinity;
    const step = Math.max(1, Math.round(hop / 5));
    for (let u = Math.max(L, t - span); u <= Math.min(c.frames - L, t + span); u += step) {
      const sc = scaledDistance(this.emb.pool(c, u - L, u), this.emb.pool(c, u, u + L));
      if (sc > bestScore) {
        bestScore = sc;
        best = u;
      }
    }
    return best;
  }

  /** Sliding windows (window_ms, hop_ms) over frames [a, b); the last one is aligned to the end. */
  private windows(c: CepstralFrames, a: number, b: number, fps: number): OfflineItem[] {
    const win = Math.round((this.cfg.window_ms / 1000) * fps);
    const hop = Math.max(1, Math.round((this.cfg.hop_ms / 1000) * fps));
    if (b - a <= win) return this.itemsAt(c, [a], b - a, fps, [(b - a) / fps]);
    const starts: number[] = [];
    let s = a;
    for (; s + win <= b; s += hop) starts.push(s);
    const weights = starts.map(() => hop / fps);
    if (s - hop + win < b) {
      starts.push(b - win);
      weights.push((b - (s - hop + win)) / fps);
    }
    return this.itemsAt(c, starts, win, fps, weights);
  }

  /** Window items at `starts` (each `win` frames long), weighted by the time each stands for. */
  private itemsAt(c: CepstralFrames, starts: readonly number[], win: number, fps: number, weights: readonly number[]): OfflineItem[] {
    return starts.map((st, k) => ({ raw: this.emb.pool(c, st, st + win), durationS: weights[k], spanS: win / fps }));
  }

  private onlineLabel(id: number): string {
    while (this.onlineNames.length <= id) this.onlineNames.push('');
    const spk = this.online.speakers[id];
    const enrolled = matchVoiceprint(spk.centroid, this.voiceprints, this.cfg.enroll_threshold);
    if (enrolled) this.onlineNames[id] = enrolled.name;
    else if (this.onlineNames[id] === '' || this.voiceprints.some((v) => v.name === this.onlineNames[id])) {
      this.onlineNames[id] = `unknown-${++this.unknownCount}`;
    }
    return this.onlineNames[id];
  }

  private remember(p: Piece): void {
    this.pieces.push(p);
    this.windowCount += p.windows.length;
    // bounded: the oldest pieces leave the re-clustering set (their labels stay)
    while (this.windowCount > this.cfg.max_offline_items && this.pieces.length > 1) this.windowCount -= this.pieces.shift()!.windows.length;
  }

  async endSession(_ctx: StageContext): Promise<SegmentRevision[]> {
    // Pieces verified against an enrolled voiceprint keep that name; the rest are re-clustered.
    const pieces = this.pieces.filter((p) => !(this.voiceprints.some((v) => v.name === p.label)
      && matchVoiceprint(p.raw, this.voiceprints, this.cfg.enroll_threshold)?.name === p.label));
    if (pieces.length === 0) return [];
    const items: OfflineItem[] = [];
    const owner: number[] = [];
    pieces.forEach((p, i) => {
      for (const w of p.windows) {
        items.push(w);
        owner.push(i);
      }
    });
    const wl = reclusterOffline(items, {
      method: this.cfg.offline_method,
      threshold: this.cfg.offline_threshold,
      maxSpeakers: this.cfg.max_speakers,
      numSpeakers: this.opts.knownSpeakers,
      minItemS: this.cfg.min_segment_ms / 1000,
      maxCore: this.cfg.max_cluster_items,
      minClusterS: this.cfg.min_speaker_ms / 1000,
      minClusterFraction: this.cfg.min_speaker_fraction,
    });
    const K = Math.max(...wl) + 1;
    const votes = pieces.map(() => new Float64Array(K));
    wl.forEach((l, j) => {
      votes[owner[j]][l] += items[j].durationS;
    });
    const labels = votes.map((v) => v.indexOf(Math.max(...v)));
    const names = this.nameClusters(items, wl, pieces, labels);
    const revs: SegmentRevision[] = [];
    pieces.forEach((p, i) => {
      const name = names[labels[i]];
      if (name !== p.label) {
        revs.push({ startSample: p.startSample, endSample: p.endSample, speaker: name });
        p.label = name;
      }
    });
    this.opts.logger.info({ pieces: pieces.length, speakers: new Set(names).size, revised: revs.length }, 'diarization.reclustered');
    return revs;
  }

  /** Enrolled name, else the live label most of the cluster already carries, else a new unknown-N. */
  private nameClusters(items: readonly OfflineItem[], itemLabels: readonly number[], pieces: readonly Piece[], labels: readonly number[]): string[] {
    const K = Math.max(...itemLabels) + 1;
    const cents = rawCentroids(items, itemLabels);
    const names = new Array<string>(K).fill('');
    const used = new Set<string>();
    const order = Array.from({ length: K }, (_, k) => k)
      .map((k) => ({ k, dur: pieces.reduce((s, p, i) => s + (labels[i] === k ? p.durationS : 0), 0) }))
      .sort((a, b) => b.dur - a.dur);
    for (const { k } of order) {
      const m = matchVoiceprint(cents[k], this.voiceprints, this.cfg.enroll_threshold);
      if (m && !used.has(m.name)) {
        names[k] = m.name;
        used.add(m.name);
      }
    }
    for (const { k } of order) {
      if (names[k] !== '') continue;
      const votes = new Map<string, number>();
      pieces.forEach((p, i) => {
        if (labels[i] === k && p.label.startsWith('unknown-')) votes.set(p.label, (votes.get(p.label) ?? 0) + p.durationS);
      });
      const best = [...votes.entries()].filter(([n]) => !used.has(n)).sort((a, b) => b[1] - a[1])[0];
      names[k] = best ? best[0] : `unknown-${++this.unknownCount}`;
      used.add(names[k]);
    }
    return names;
  }
}
