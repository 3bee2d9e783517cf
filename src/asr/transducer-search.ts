/**
 * Greedy and modified beam search for stateless transducers (icefall/sherpa-onnx Zipformer:
 * decoder sees the last `contextSize` tokens, blank id 0, at most one symbol per frame). As in
 * current sherpa-onnx, `<unk>` (unkId, -1 for none) is treated as blank.
 * The search state persists across encoder chunks, so the streaming runner calls the step
 * functions chunk by chunk and the offline runner once.
 *
 * Decoder context, as sherpa-onnx (`GetEmptyResult`, `Reset` in
 * online-recognizer-transducer-impl.h) and icefall's beam_search.py: an utterance starts from
 * `[-1, …, -1, 0]` (the decoder embeds -1 as a zero vector, 0 is blank), and a reset after an
 * endpoint keeps the last `contextSize` symbols of the finished utterance as the new context
 * when it emitted anything (else the context starts over from `[-1, …, 0]`).
 */

/** Decoder + joiner of a stateless transducer. All tensors are row-major float32. */
export interface StatelessTransducer {
  readonly contextSize: number;
  readonly vocabSize: number;
  /** contexts: N rows of contextSize token ids → decoder_out [N, J]. */
  decode(contexts: number[][]): Promise<Float32Array>;
  /** enc [N, J], dec [N, J] → logits [N, vocabSize]. */
  join(enc: Float32Array, dec: Float32Array, n: number): Promise<Float32Array>;
}

export interface DecodedTokens {
  tokens: number[];
  /** Encoder frame index of each token. */
  frames: number[];
  /** Per-token probability (greedy only), else empty. */
  probs: number[];
  /** Consecutive blank frames at the end of the current best path. */
  trailingBlanks: number;
}

export interface SearchState {
  result(): DecodedTokens;
  /** Forget the decoded tokens (new utterance); the decoder keeps the last context of the old one. */
  reset(): void;
  /** Decode `numFrames` encoder frames (row-major [numFrames, dim]) whose first global index is frameOffset. */
  step(enc: Float32Array, numFrames: number, dim: number, frameOffset: number): Promise<void>;
}

const BLANK = 0;

/** Context of a fresh utterance: `[-1, …, -1, 0]` (sherpa-onnx / icefall). */
export function initialContext(contextSize: number): number[] {
  const c = new Array<number>(contextSize).fill(-1);
  c[contextSize - 1] = BLANK;
  return c;
}

/** Context after a reset: the last `contextSize` symbols of `history` (context + tokens) when it holds tokens. */
export function contextAfterReset(history: readonly number[], contextSize: number): number[] {
  return history.length > contextSize ? history.slice(history.length - contextSize) : initialContext(contextSize);
}

export interface SearchOptions {
  /** `<unk>` id, decoded as blank (sherpa-onnx behaviour); -1 or absent for none. */
  unkId?: number;
  /** Subtracted from the blank logit before the search (sherpa `blank_penalty`); 0 = off. */
  blankPenalty?: number;
}

function penalize(logits: Float32Array, rows: number, vocab: number, penalty: number): void {
  if (penalty > 0) for (let i = 0; i < rows; i++) logits[i * vocab + BLANK] -= penalty;
}

export class GreedySearch implements SearchState {
  /** Decoder context (contextSize symbols) followed by the tokens of this utterance. */
  private history: number[];
  private frames: number[] = [];
  private probs: number[] = [];
  private trailing = 0;
  private decoderOut: Float32Array | undefined;

  private readonly unkId: number;
  private readonly blankPenalty: number;

  constructor(private readonly m: StatelessTransducer, opts: SearchOptions = {}) {
    this.unkId = opts.unkId ?? -1;
    this.blankPenalty = opts.blankPenalty ?? 0;
    this.history = initialContext(m.contextSize);
  }

  result(): DecodedTokens {
    return { tokens: this.history.slice(this.m.contextSize), frames: [...this.frames], probs: [...this.probs], trailingBlanks: this.trailing };
  }

  reset(): void {
    this.history = contextAfterReset(this.history, this.m.contextSize);
    this.frames = [];
    this.probs = [];
    this.trailing = 0;
    this.decoderOut = undefined;
  }

  private context(): number[] {
    return this.history.slice(this.history.length - this.m.contextSize);
  }

  async step(enc: Float32Array, numFrames: number, dim: number, frameOffset: number): Promise<void> {
    this.decoderOut ??= await this.m.decode([this.context()]);
    for (let t = 0; t < numFrames; t++) {
      const logits = await this.m.join(enc.subarray(t * dim, (t + 1) * dim), this.decoderOut, 1);
      penalize(logits, 1, this.m.vocabSize, this.blankPenalty);
      const y = argmax(logits, 0, this.m.vocabSize);
      if (y !== BLANK && y !== this.unkId) {
        this.history.push(y);
        this.frames.push(frameOffset + t);
        this.probs.push(softmaxProb(logits, 0, this.m.vocabSize, y));
        this.trailing = 0;
        this.decoderOut = await this.m.decode([this.context()]);
      } else {
        this.trailing++;
      }
    }
  }
}

interface Hyp {
  ys: number[];
  logProb: number;
  frames: number[];
  trailing: number;
}

/**
 * Modified beam search: each frame, every hypothesis is extended by at most one token; the
 * `maxActivePaths` best (prior log prob + log-softmax) survive; identical token sequences are
 * merged with log-add. The best path uses length normalisation (log prob / (context + tokens)).
 * Log probs are rounded to float32 at the same points as the PyTorch reference.
 */
export class ModifiedBeamSearch implements SearchState {
  private hyps = new Map<string, Hyp>();

  private readonly unkId: number;
  private readonly blankPenalty: number;

  constructor(private readonly m: StatelessTransducer, private readonly maxActivePaths: number, opts: SearchOptions = {}) {
    this.unkId = opts.unkId ?? -1;
    this.blankPenalty = opts.blankPenalty ?? 0;
    this.reset();
  }

  reset(): void {
    const ys = this.hyps.size > 0 ? contextAfterReset(this.best().ys, this.m.contextSize) : initialContext(this.m.contextSize);
    this.hyps = new Map([[ys.join(','), { ys, logProb: 0, frames: [], trailing: 0 }]]);
  }

  result(): DecodedTokens {
    const b = this.best();
    return { tokens: b.ys.slice(this.m.contextSize), frames: [...b.frames], probs: [], trailingBlanks: b.trailing };
  }

  /** The most probable hypothesis, length-normalised (sherpa-onnx `GetMostProbable(true)`). */
  private best(): Hyp {
    let best: Hyp | undefined;
    for (const h of this.hyps.values()) if (!best || h.logProb / h.ys.length > best.logProb / best.ys.length) best = h;
    return best as Hyp;
  }

  async step(enc: Float32Array, numFrames: number, dim: number, frameOffset: number): Promise<void> {
    const c = this.m.contextSize;
    const v = this.m.vocabSize;
    const f = Math.fround;
    for (let t = 0; t < numFrames; t++) {
      const prev = [...this.hyps.values()];
      const n = prev.length;
      const dec = await this.m.decode(prev.map((h) => h.ys.slice(h.ys.length - c)));
      const encRep = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) encRep.set(enc.subarray(t * dim, (t + 1) * dim), i * dim);
      const logits = await this.m.join(encRep, dec, n);
      penalize(logits, n, v, this.blankPenalty);
      const scores = new Float64Array(n * v);
      for (let i = 0; i < n; i++) {
        const lse = logSumExp(logits, i * v, v);
        const prior = f(prev[i].logProb);
        for (let k = 0; k < v; k++) scores[i * v + k] = f(f(logits[i * v + k] - lse) + prior);
      }
      const top = topK(scores, Math.min(this.maxActivePaths, scores.length));
      const next = new Map<string, Hyp>();
      for (const idx of top) {
        const h = prev[Math.floor(idx / v)];
        const tok = idx % v;
        const score = scores[idx];
        const cand: Hyp = tok !== BLANK && tok !== this.unkId
          ? { ys: [...h.ys, tok], logProb: score, frames: [...h.frames, frameOffset + t], trailing: 0 }
          : { ys: h.ys, logProb: score, frames: h.frames, trailing: h.trailing + 1 };
        const key = cand.ys.join(',');
        const old = next.get(key);
        if (old) old.logProb = logAdd(old.logProb, score);
        else next.set(key, cand);
      }
      this.hyps = next;
    }
  }
}

export function argmax(a: ArrayLike<number>, start: number, len: number): number {
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < len; i++) {
    if (a[start + i] > bv) { bv = a[start + i]; best = i; }
  }
  return best;
}

function logSumExp(a: ArrayLike<number>, start: number, len: number): number {
  let m = -Infinity;
  for (let i = 0; i < len; i++) m = Math.max(m, a[start + i]);
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.exp(a[start + i] - m);
  return m + Math.log(s);
}

export function softmaxProb(a: ArrayLike<number>, start: number, len: number, k: number): number {
  return Math.exp(a[start + k] - logSumExp(a, start, len));
}

function logAdd(a: number, b: number): number {
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Indices of the k largest values, largest first (ties: lower index first). */
function topK(a: Float64Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (best.length === k && a[i] <= a[best[k - 1]]) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (j > 0 && a[best[j - 1]] < a[i]) { best[j] = best[j - 1]; j--; }
    best[j] = i;
  }
  return best;
}
