/**
 * Moonshine v2 (merged decoder) as sherpa-onnx runs it (offline-moonshine-model-v2.cc,
 * offline-moonshine-v2-greedy-search-decoder.cc; files `encoder_model.ort|.onnx`,
 * `decoder_model_merged.ort|.onnx`, base64 `tokens.txt`). Inputs are used by position:
 *
 * encoder: audio f32 (1, N) [, attention_mask i64 (1, N) of ones] → last_hidden_state (1, T, D)
 * decoder: [encoder_attention_mask i64 (1, T·384) of ones,] input_ids i64 (1, 1),
 *   encoder_hidden_states, past_key_values × 4 per layer (decoder.key, decoder.value,
 *   encoder.key, encoder.value; f32 (1, H, L, Dh)), use_cache_branch bool (1)
 *   → logits (1, 1, V), present × 4 per layer.
 * The first call gets empty (L = 0) past tensors and use_cache_branch = false and keeps all
 * presents; later calls (use_cache_branch = true, once the encoder keys are longer than 1)
 * replace only the decoder keys/values. Greedy from sos 1 to eos 2, at most
 * T·384/16000·15 tokens (sherpa-onnx's v2 cap).
 */
import { ModelLoadError } from '../util/errors.js';
import { moonshineGreedy, moonshineMaxLen, MOONSHINE_SAMPLES_PER_FRAME, MOONSHINE_SOS, type MoonshineDecodeResult } from './moonshine-greedy.js';
import { MoonshineTokens } from './moonshine-tokens.js';
import { createSession, inputShape, ort } from './onnx-session.js';

export interface MoonshineV2Options {
  encoder: string;
  mergedDecoder: string;
  tokens: string;
}

/** sherpa-onnx's token cap for v2 exports (tokens per second of audio). */
export const MOONSHINE_V2_TOKENS_PER_SECOND = 15;

export class MoonshineV2Model {
  readonly version = 2;

  private constructor(
    readonly tokens: MoonshineTokens,
    private readonly enc: ort.InferenceSession,
    private readonly dec: ort.InferenceSession,
    private readonly needsMask: boolean,
    private readonly layers: number,
    private readonly heads: number,
    private readonly headDim: number,
  ) {}

  static async load(o: MoonshineV2Options, threads: number): Promise<MoonshineV2Model> {
    const tokens = MoonshineTokens.load(o.tokens, 'base64');
    const enc = await createSession(o.encoder, threads);
    const dec = await createSession(o.mergedDecoder, threads);
    const names = dec.inputNames;
    const needsMask = names.some((n) => n.includes('encoder_attention_mask'));
    const fixed = needsMask ? 4 : 3;
    const layers = (names.length - fixed) / 4;
    const kv = names.find((n) => n.includes('key_values'));
    const shape = kv ? inputShape(dec, kv) : [];
    if (!Number.isInteger(layers) || layers < 1 || !kv || dec.outputNames.length !== 1 + 4 * layers) {
      throw new ModelLoadError(o.mergedDecoder, `not a Moonshine v2 merged decoder: ${names.length} inputs / ${dec.outputNames.length} outputs `
        + `(expected [encoder_attention_mask,] input_ids, encoder_hidden_states, 4 past_key_values per layer, use_cache_branch)`);
    }
    if (shape.length !== 4 || typeof shape[1] !== 'number' || typeof shape[3] !== 'number') {
      throw new ModelLoadError(o.mergedDecoder, `${kv} must be 4-d with fixed head count and head size, is [${shape.join(', ')}]`);
    }
    if (enc.inputNames.length < 1 || enc.inputNames.length > 2) throw new ModelLoadError(o.encoder, `encoder has ${enc.inputNames.length} inputs, expected audio [and attention_mask]`);
    return new MoonshineV2Model(tokens, enc, dec, needsMask, layers, shape[1], shape[3]);
  }

  /** `_tokensPerSecond` (asr.moonshine.max_tokens_per_second) is ignored: v2 uses sherpa-onnx's 15. */
  async recognize(samples: Float32Array, _tokensPerSecond?: number): Promise<MoonshineDecodeResult> {
    const feeds: Record<string, ort.Tensor> = { [this.enc.inputNames[0]!]: new ort.Tensor('float32', samples, [1, samples.length]) };
    if (this.enc.inputNames.length > 1) feeds[this.enc.inputNames[1]!] = ones([1, samples.length]);
    const encOut = (await this.enc.run(feeds))[this.enc.outputNames[0]!]!;
    const encoderFrames = encOut.dims[1]!;
    const mask = this.needsMask ? ones([1, encoderFrames * MOONSHINE_SAMPLES_PER_FRAME]) : null;
    const empty = (): ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [1, this.heads, 0, this.headDim]);
    let states = Array.from({ length: 4 * this.layers }, empty);
    let out = await this.step(MOONSHINE_SOS, encOut, states, mask);
    states = out.states;
    const g = await moonshineGreedy(out.logits, moonshineMaxLen(encoderFrames, MOONSHINE_V2_TOKENS_PER_SECOND), async (tok) => {
      out = await this.step(tok, encOut, states, mask);
      states = out.states;
      return out.logits;
    });
    return {
      tokens: g.tokens, text: this.tokens.decode(g.tokens), avgLogProb: g.tokens.length > 0 ? g.logProb / g.tokens.length : 0,
      hitTokenCap: g.hitTokenCap, encoderFrames,
    };
  }

  async dispose(): Promise<void> {
    await this.enc.release();
    await this.dec.release();
  }

  private async step(token: number, encOut: ort.Tensor, states: ort.Tensor[], mask: ort.Tensor | null): Promise<{ logits: Float32Array; states: ort.Tensor[] }> {
    const useCache = (states[2]!.dims[2] ?? 0) > 1;
    const inputs: ort.Tensor[] = [];
    if (mask) inputs.push(mask);
    inputs.push(new ort.Tensor('int64', BigInt64Array.of(BigInt(token)), [1, 1]), encOut, ...states,
      new ort.Tensor('bool', Uint8Array.of(useCache ? 1 : 0), [1]));
    const feeds: Record<string, ort.Tensor> = {};
    this.dec.inputNames.forEach((n, i) => { feeds[n] = inputs[i]!; });
    const r = await this.dec.run(feeds);
    const outs = this.dec.outputNames.map((n) => r[n]!);
    const next = [...states];
    for (let i = 0; i < 4 * this.layers; i++) {
      // Without the cache branch every present is new; with it only the decoder keys/values change.
      if (!useCache || i % 4 < 2) next[i] = outs[1 + i]!;
    }
    const logits = outs[0]!;
    const v = logits.dims[logits.dims.length - 1]!;
    const data = logits.data as Float32Array;
    return { logits: data.subarray(data.length - v), states: next };
  }
}

function ones(dims: number[]): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor('int64', new BigInt64Array(n).fill(1n), dims);
}
