import { kaldiFbank, NEMO_FBANK } from '../frontend/kaldi-fbank.js';
import { ModelLoadError } from '../util/errors.js';
import { argmax, softmaxProb } from './transducer-search.js';
import { f32, i32, i64, intValues, loadSession, run, type LoadedSession, type ort } from './transducer-ort.js';

/**
 * NeMo transducer exported by sherpa-onnx (Parakeet TDT / RNNT).
 * Encoder: audio_signal f32[N, F, T] (feature-major), length i64[N] → outputs f32[N, C, T'],
 *   encoded_lengths (int32 or int64). Metadata: vocab_size (without blank), subsampling_factor,
 *   normalize_type, pred_rnn_layers, pred_hidden, feat_dim (optional, default 80).
 * Decoder (LSTM prediction net): targets i32[N,1], target_length i32[N], two LSTM states
 *   f32[L, N, H] → outputs f32[N, H, 1], lengths, next states.
 * Joiner: encoder_outputs f32[N, C, 1], decoder_outputs f32[N, H, 1] → f32[N, 1, 1, V(+D)].
 * Blank is the last token (vocab_size). With D = output − V > 0 the model is TDT: the last D
 * outputs are duration logits and the argmax index is the number of frames to skip.
 */
export interface TdtDecoded {
  tokens: number[];
  frames: number[];
  durations: number[];
  probs: number[];
  subsampling: number;
}

const MAX_TOKENS_PER_FRAME_TDT = 5;
const MAX_SYMBOLS_PER_FRAME_RNNT = 10;
/** Beam search (sherpa-onnx): a hypothesis that emitted this many tokens on one frame advances unexpanded. */
const MAX_SYMBOLS_PER_FRAME_BEAM = 10;

export interface NemoDecodeOptions {
  blankPenalty?: number;
  /** 'greedy_search' (default) or 'modified_beam_search' with maxActivePaths. */
  method?: 'greedy_search' | 'modified_beam_search';
  maxActivePaths?: number;
}

interface NemoHyp {
  ys: number[];
  frames: number[];
  durations: number[];
  probs: number[];
  logProb: number;
  states: ort.Tensor[];
  frame: number;
  run: number;
}

export class ParakeetTdtModel {
  readonly vocabSize: number;
  readonly blankId: number;
  readonly subsampling: number;
  readonly featDim: number;
  readonly normalizeType: string;
  private readonly layers: number;
  private readonly hidden: number;
  /** `<unk>` id (decoded as blank by the beam search, as in sherpa-onnx); set from tokens.txt. */
  unkId = -1;

  private constructor(private readonly encoder: LoadedSession, private readonly decoder: LoadedSession, private readonly joiner: LoadedSession) {
    const m = encoder.meta;
    this.vocabSize = m.int('vocab_size') + 1;
    this.blankId = this.vocabSize - 1;
    this.subsampling = m.int('subsampling_factor');
    this.layers = m.int('pred_rnn_layers');
    this.hidden = m.int('pred_hidden');
    this.featDim = m.int('feat_dim', 80);
    this.normalizeType = m.str('normalize_type', '') === 'NA' ? '' : m.str('normalize_type', '');
    if (m.int('is_giga_am', 0) !== 0) throw new ModelLoadError(encoder.file, 'GigaAM NeMo exports are not supported');
    if (decoder.inputNames.length !== 4) throw new ModelLoadError(decoder.file, `NeMo decoder must have 4 inputs (targets, target_length, 2 states), has ${decoder.inputNames.length}`);
    if (joiner.inputNames.length !== 2) throw new ModelLoadError(joiner.file, 'NeMo joiner must have 2 inputs');
  }

  static async load(files: { encoder: string; decoder: string; joiner: string }, threads: number): Promise<ParakeetTdtModel> {
    return new ParakeetTdtModel(await loadSession(files.encoder, threads), await loadSession(files.decoder, threads), await loadSession(files.joiner, threads));
  }

  /**
   * NeMo features as kaldi-native-fbank computes them for sherpa-onnx (`is_librosa`): hann window,
   * no DC removal, librosa Slaney mel banks 0 Hz..Nyquist (NEMO_FBANK with feat_dim bins), then
   * per-feature mean/std normalisation (std over T−1, + 1e-5) when normalize_type is per_feature.
   */
  features(samples: Float32Array): { data: Float32Array; frames: number } {
    const f = kaldiFbank(samples, { ...NEMO_FBANK, numBins: this.featDim });
    if (this.normalizeType === 'per_feature' && f.frames > 1) normalizePerFeature(f.data, f.frames, f.bins);
    return { data: f.data, frames: f.frames };
  }

  /** opts.blankPenalty is subtracted from the blank logit (sherpa `blank_penalty`, 0 = off). */
  async recognize(samples: Float32Array, opts: NemoDecodeOptions = {}): Promise<TdtDecoded> {
    const feats = this.features(samples);
    const empty: TdtDecoded = { tokens: [], frames: [], durations: [], probs: [], subsampling: this.subsampling };
    if (feats.frames < this.subsampling) return empty;
    const fm = new Float32Array(feats.data.length); // [F, T]
    for (let t = 0; t < feats.frames; t++) for (let k = 0; k < this.featDim; k++) fm[k * feats.frames + t] = feats.data[t * this.featDim + k];
    const [out, lens] = await run(this.encoder, [f32(fm, [1, this.featDim, feats.frames]), i64([feats.frames], [1])]);
    const c = out.dims[1];
    const tOut = out.dims[2];
    const n = Math.min(intValues(lens)[0], tOut);
    const enc = out.data as Float32Array;
    const frame = (t: number): Float32Array => { const v = new Float32Array(c); for (let k = 0; k < c; k++) v[k] = enc[k * tOut + t]; return v; };
    if (opts.method === 'modified_beam_search') return this.decodeBeam(frame, n, c, opts.maxActivePaths ?? 4, opts.blankPenalty ?? 0);
    return this.decodeTdt(frame, n, c, opts.blankPenalty ?? 0);
  }

  private async decodeStep(token: number, states: ort.Tensor[]): Promise<{ out: ort.Tensor; states: ort.Tensor[] }> {
    const res = await run(this.decoder, [i32([token], [1, 1]), i32([1], [1]), ...states]);
    return { out: res[0], states: res.slice(2, 4) };
  }

  private async decodeTdt(frame: (t: number) => Float32Array, numFrames: number, c: number, blankPenalty: number): Promise<TdtDecoded> {
    const zeros = (): ort.Tensor => f32(new Float32Array(this.layers * this.hidden), [this.layers, 1, this.hidden]);
    let dec = await this.decodeStep(this.blankId, [zeros(), zeros()]);
    const r: TdtDecoded = { tokens: [], frames: [], durations: [], probs: [], subsampling: this.subsampling };
    let tokensThisFrame = 0;
    for (let t = 0, skip = 0; t < numFrames; t += skip) {
      const [logitT] = await run(this.joiner, [f32(frame(t), [1, c, 1]), dec.out]);
      const logits = logitT.data as Float32Array;
      if (blankPenalty > 0) logits[this.blankId] -= blankPenalty;
      const numDurations = logits.length - this.vocabSize;
      const y = argmax(logits, 0, this.vocabSize);
      if (numDurations > 0) {
        skip = argmax(logits, this.vocabSize, numDurations);
      } else {
        skip = y === this.blankId || tokensThisFrame + 1 >= MAX_SYMBOLS_PER_FRAME_RNNT ? 1 : 0;
      }
      if (y !== this.blankId) {
        r.tokens.push(y);
        r.frames.push(t);
        r.durations.push(skip);
        r.probs.push(softmaxProb(logits, 0, this.vocabSize, y));
        dec = await this.decodeStep(y, dec.states);
        tokensThisFrame++;
      }
      if (skip > 0) tokensThisFrame = 0;
      if (numDurations > 0 && tokensThisFrame >= MAX_TOKENS_PER_FRAME_TDT) { tokensThisFrame = 0; skip = 1; }
      if (y === this.blankId && skip === 0) { tokensThisFrame = 0; skip = 1; }
    }
    return r;
  }

  /**
   * sherpa-onnx's NeMo modified beam search (offline-transducer-modified-beam-search-nemo-decoder.cc):
   * frame-asynchronous hypotheses, each with its own LSTM state and frame. A hypothesis at the
   * minimum frame that already emitted MAX_SYMBOLS_PER_FRAME_BEAM symbols there advances one frame
   * unexpanded; the others are expanded with the top-k tokens of the token log-softmax. For TDT
   * the score also adds the log-probability of the best duration (log-softmax over the duration
   * logits): score = (token lp + duration lp) + hypothesis lp, in float32. Blank/<unk> advance
   * max(1, duration); tokens advance the duration (TDT; 0 stays) or stay (RNNT). The best `beam`
   * hypotheses by score survive (no merging).
   */
  private async decodeBeam(frame: (t: number) => Float32Array, numFrames: number, c: number, beam: number, blankPenalty: number): Promise<TdtDecoded> {
    const f = Math.fround;
    const zeros = (): ort.Tensor => f32(new Float32Array(this.layers * this.hidden), [this.layers, 1, this.hidden]);
    const v = this.vocabSize;
    let hyps: NemoHyp[] = [{ ys: [], frames: [], durations: [], probs: [], logProb: 0, states: [zeros(), zeros()], frame: 0, run: 0 }];
    for (;;) {
      const minFrame = Math.min(...hyps.map((h) => h.frame));
      if (minFrame >= numFrames) break;
      const cands: NemoHyp[] = [];
      for (const h of hyps) {
        if (h.frame > minFrame) { cands.push(h); continue; }
        if (h.run >= MAX_SYMBOLS_PER_FRAME_BEAM) { cands.push({ ...h, frame: h.frame + 1, run: 0 }); continue; }
        const last = h.ys.length > 0 ? h.ys[h.ys.length - 1] : this.blankId;
        const d = await this.decodeStep(last, h.states);
        const [logitT] = await run(this.joiner, [f32(frame(h.frame), [1, c, 1]), d.out]);
        const logits = logitT.data as Float32Array;
        const tdt = logits.length > v;
        if (blankPenalty > 0) logits[this.blankId] -= blankPenalty;
        const lp = logSoftmax(logits, 0, v);
        let skip = 1;
        let durLp = 0;
        if (tdt) {
          const dl = logSoftmax(logits, v, logits.length - v);
          skip = argmax(dl, 0, dl.length);
          durLp = dl[skip];
        }
        const order = lp.map((_, k) => k).sort((a, b) => lp[b] - lp[a] || a - b).slice(0, beam);
        for (const k of order) {
          const logProb = f(f(lp[k] + durLp) + f(h.logProb));
          if (k === this.blankId || k === this.unkId) {
            cands.push({ ...h, logProb, frame: h.frame + Math.max(1, skip), run: 0 });
            continue;
          }
          cands.push({
            ys: [...h.ys, k], frames: [...h.frames, h.frame], durations: [...h.durations, tdt ? skip : 0], probs: [...h.probs, Math.exp(lp[k])],
            logProb, states: d.states, frame: h.frame + (tdt ? skip : 0), run: tdt && skip > 0 ? 0 : h.run + 1,
          });
        }
      }
      hyps = cands.sort((a, b) => b.logProb - a.logProb).slice(0, beam);
    }
    let best = hyps[0];
    for (const h of hyps) if (h.logProb > best.logProb) best = h;
    return { tokens: best.ys, frames: best.frames, durations: best.durations, probs: best.probs, subsampling: this.subsampling };
  }

  async release(): Promise<void> {
    for (const s of [this.encoder, this.decoder, this.joiner]) await s.session.release();
  }
}

/** log-softmax of v[offset .. offset+n), each value rounded to float32 (as sherpa-onnx's LogSoftmax on floats). */
function logSoftmax(v: Float32Array, offset: number, n: number): number[] {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, v[offset + k]);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(v[offset + k] - m);
  const lse = m + Math.log(sum);
  return Array.from({ length: n }, (_, k) => Math.fround(v[offset + k] - lse));
}

/** NeMo per_feature normalisation in place: (x − mean) / (std + 1e-5), std with T−1. */
export function normalizePerFeature(data: Float32Array, frames: number, bins: number): void {
  for (let k = 0; k < bins; k++) {
    let mean = 0;
    for (let t = 0; t < frames; t++) mean += data[t * bins + k];
    mean /= frames;
    let v = 0;
    for (let t = 0; t < frames; t++) { const d = data[t * bins + k] - mean; v += d * d; }
    const std = Math.sqrt(v / (frames - 1)) + 1e-5;
    for (let t = 0; t < frames; t++) data[t * bins + k] = (data[t * bins + k] - mean) / std;
  }
}
