import { OnlineFbank, SHERPA_TRANSDUCER_FBANK } from '../frontend/kaldi-fbank.js';
import type { ort } from './transducer-ort.js';
import { endpointRuleFired, type EndpointConfig } from './transducer-endpoint.js';
import { GreedySearch, ModifiedBeamSearch, type SearchState } from './transducer-search.js';
import { tokensToText, type TokenText } from './transducer-text.js';
import type { SymbolTable } from './tokens.js';
import type { ZipformerStreamingModel } from './zipformer-streaming-model.js';

export interface StreamOptions {
  decodingMethod: 'greedy_search' | 'modified_beam_search';
  maxActivePaths: number;
  endpoint: EndpointConfig;
  /** Zeros appended at finish() so the last words reach a full encoder chunk (sherpa examples: 0.66 s). */
  tailPaddingSamples: number;
  /** Subtracted from the blank logit (0 = off). */
  blankPenalty?: number;
}

export interface StreamPartial {
  text: string;
  isFinal: boolean;
  /** Index of the endpoint rule that fired (-1 none). */
  endpointRule: number;
}

export interface StreamFinal extends TokenText {
  tokenIds: number[];
  frames: number[];
}

const FEATURE_SHIFT_MS = 10;

/**
 * One decoding stream of the streaming Zipformer (worker side): online fbank → chunks of T
 * frames advancing by decode_chunk_len → encoder with cached states → search. Endpoint rules
 * are evaluated after every chunk; after an endpoint the caller reads the final text and calls
 * reset() (encoder states continue, as in sherpa-onnx).
 */
export class ZipformerStream {
  private fbank = new OnlineFbank(SHERPA_TRANSDUCER_FBANK);
  private feats = new Float32Array(0);
  /** Global feature-frame index of feats[0]. */
  private featsStart = 0;
  private featsEnd = 0;
  private processed = 0;
  private states: ort.Tensor[];
  private encFrames = 0;
  private readonly search: SearchState;
  /** Feature frames processed since the last reset (utterance length). */
  private utteranceStart = 0;
  private utteranceFrameOffset = 0;
  private subsampling = 4;
  private finished = false;

  constructor(private readonly model: ZipformerStreamingModel, private readonly table: SymbolTable, private readonly opts: StreamOptions) {
    this.states = model.initStates();
    const so = { unkId: table.id('<unk>') ?? -1, blankPenalty: opts.blankPenalty ?? 0 };
    this.search = opts.decodingMethod === 'modified_beam_search'
      ? new ModifiedBeamSearch(model.decoderJoiner, opts.maxActivePaths, so)
      : new GreedySearch(model.decoderJoiner, so);
  }

  async accept(samples: Float32Array): Promise<StreamPartial> {
    if (this.finished) throw new Error('stream already finished; call reset() or create a new stream');
    this.pushFeatures(this.fbank.accept(samples).data);
    await this.decodeReady();
    const rule = this.endpointRule();
    return { text: this.current().text, isFinal: rule >= 0, endpointRule: rule };
  }

  /** End of input: tail padding, flush the features, decode what remains, return the final result. */
  async finish(): Promise<StreamFinal> {
    if (!this.finished) {
      this.finished = true;
      if (this.opts.tailPaddingSamples > 0) this.pushFeatures(this.fbank.accept(new Float32Array(this.opts.tailPaddingSamples)).data);
      this.pushFeatures(this.fbank.finish().data);
      await this.decodeReady();
    }
    const r = this.search.result();
    return { ...this.current(), tokenIds: r.tokens, frames: r.frames };
  }

  /** New utterance: clear the decoded text; encoder states and features continue. */
  reset(): void {
    this.search.reset();
    this.utteranceStart = this.processed;
    this.utteranceFrameOffset = this.encFrames;
  }

  /** Text of the current utterance (timestamps relative to the utterance start). */
  current(): TokenText {
    const r = this.search.result();
    const frames = r.frames.map((f) => f - this.utteranceFrameOffset);
    return tokensToText(r.tokens, frames, r.probs, this.table, FEATURE_SHIFT_MS * this.subsampling);
  }

  private endpointRule(): number {
    const r = this.search.result();
    const utteranceMs = (this.processed - this.utteranceStart) * FEATURE_SHIFT_MS;
    const silenceMs = r.trailingBlanks * this.subsampling * FEATURE_SHIFT_MS;
    return endpointRuleFired(this.opts.endpoint, utteranceMs, silenceMs);
  }

  private pushFeatures(data: Float32Array): void {
    if (data.length === 0) return;
    const dim = this.model.featureDim;
    const keepFrom = this.processed;
    const kept = this.feats.subarray((keepFrom - this.featsStart) * dim);
    const next = new Float32Array(kept.length + data.length);
    next.set(kept);
    next.set(data, kept.length);
    this.feats = next;
    this.featsStart = keepFrom;
    this.featsEnd += data.length / dim;
  }

  private async decodeReady(): Promise<void> {
    const { chunkFrames, chunkShiftFrames } = this.model.meta;
    const dim = this.model.featureDim;
    while (this.featsEnd - this.processed >= chunkFrames) {
      const off = (this.processed - this.featsStart) * dim;
      const chunk = this.feats.slice(off, off + chunkFrames * dim);
      const out = await this.model.runChunk(chunk, this.states);
      this.states = out.states;
      this.subsampling = Math.max(1, Math.round(chunkShiftFrames / out.numFrames));
      await this.search.step(out.frames, out.numFrames, out.dim, this.encFrames);
      this.encFrames += out.numFrames;
      this.processed += chunkShiftFrames;
    }
  }
}
