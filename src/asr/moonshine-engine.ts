/**
 * Moonshine runners for the ONNX files sherpa-onnx uses (engine kind 'asr.moonshine'), in
 * the inference child.
 *
 * v1 (offline-moonshine-model.cc; inputs and outputs used by position):
 * preprocess(audio (1, N)) → features (1, T, D); encode(features, features_len i32[1]) →
 * encoder_out; uncached_decode(tokens i32 (1,1), encoder_out, seq_len i32[1]) → logits,
 * states...; cached_decode(tokens, encoder_out, seq_len, states...) → logits, states....
 * Greedy from sos = 1 until eos = 2 or max_len = T·384/16000·(tokens per second).
 *
 * v2 (merged decoder, offline-moonshine-model-v2.cc): see moonshine-v2-model.ts. The engine
 * options say which: `mergedDecoder` set → v2.
 */
import type { EngineFactory, InferenceEngine } from '../inference/engine.js';
import { AppError, ModelLoadError } from '../util/errors.js';
import { moonshineGreedy, moonshineMaxLen, MOONSHINE_SOS, type MoonshineDecodeResult } from './moonshine-greedy.js';
import { MoonshineTokens } from './moonshine-tokens.js';
import { MoonshineV2Model, type MoonshineV2Options } from './moonshine-v2-model.js';
import { createSession, ort } from './onnx-session.js';

export type { MoonshineDecodeResult } from './moonshine-greedy.js';

export interface MoonshineEngineOptions {
  preprocess: string;
  encode: string;
  uncachedDecode: string;
  cachedDecode: string;
  tokens: string;
}

export class MoonshineModel {
  readonly version = 1;

  private constructor(
    readonly tokens: MoonshineTokens,
    private readonly pre: ort.InferenceSession,
    private readonly enc: ort.InferenceSession,
    private readonly unc: ort.InferenceSession,
    private readonly cac: ort.InferenceSession,
  ) {}

  static async load(o: MoonshineEngineOptions, threads: number): Promise<MoonshineModel> {
    const tokens = MoonshineTokens.load(o.tokens, 'piece');
    const pre = await createSession(o.preprocess, threads);
    const enc = await createSession(o.encode, threads);
    const unc = await createSession(o.uncachedDecode, threads);
    const cac = await createSession(o.cachedDecode, threads);
    const check = (s: ort.InferenceSession, file: string, nIn: number, nOut: number): void => {
      if (s.inputNames.length < nIn || s.outputNames.length < nOut) {
        throw new ModelLoadError(file, `expected at least ${nIn} inputs and ${nOut} outputs, has ${s.inputNames.length} and ${s.outputNames.length}`);
      }
    };
    check(pre, o.preprocess, 1, 1);
    check(enc, o.encode, 2, 1);
    check(unc, o.uncachedDecode, 3, 2);
    check(cac, o.cachedDecode, 4, 2);
    if (cac.inputNames.length - 3 !== unc.outputNames.length - 1 || cac.outputNames.length !== unc.outputNames.length) {
      throw new ModelLoadError(o.cachedDecode, `state count mismatch: uncached_decode gives ${unc.outputNames.length - 1} states, cached_decode takes ${cac.inputNames.length - 3}`);
    }
    return new MoonshineModel(tokens, pre, enc, unc, cac);
  }

  async recognize(samples: Float32Array, maxTokensPerSecond: number): Promise<MoonshineDecodeResult> {
    const audio = new ort.Tensor('float32', samples, [1, samples.length]);
    const feats = (await this.pre.run({ [this.pre.inputNames[0]!]: audio }))[this.pre.outputNames[0]!]!;
    const featLen = new ort.Tensor('int32', Int32Array.of(feats.dims[1]!), [1]);
    const encOut = (await this.enc.run({ [this.enc.inputNames[0]!]: feats, [this.enc.inputNames[1]!]: featLen }))[this.enc.outputNames[0]!]!;
    const encoderFrames = encOut.dims[1]!;
    let seqLen = 1;
    let out = await this.run(this.unc, MOONSHINE_SOS, encOut, seqLen, []);
    const g = await moonshineGreedy(out.logits, moonshineMaxLen(encoderFrames, maxTokensPerSecond), async (tok) => {
      seqLen++;
      out = await this.run(this.cac, tok, encOut, seqLen, out.states);
      return out.logits;
    });
    return {
      tokens: g.tokens, text: this.tokens.decode(g.tokens), avgLogProb: g.tokens.length > 0 ? g.logProb / g.tokens.length : 0,
      hitTokenCap: g.hitTokenCap, encoderFrames,
    };
  }

  async dispose(): Promise<void> {
    for (const s of [this.pre, this.enc, this.unc, this.cac]) await s.release();
  }

  private async run(s: ort.InferenceSession, token: number, encOut: ort.Tensor, seqLen: number, states: ort.Tensor[]): Promise<{ logits: Float32Array; states: ort.Tensor[] }> {
    const feeds: Record<string, ort.Tensor> = {
      [s.inputNames[0]!]: new ort.Tensor('int32', Int32Array.of(token), [1, 1]),
      [s.inputNames[1]!]: encOut,
      [s.inputNames[2]!]: new ort.Tensor('int32', Int32Array.of(seqLen), [1]),
    };
    states.forEach((t, i) => { feeds[s.inputNames[3 + i]!] = t; });
    const r = await s.run(feeds);
    const logits = r[s.outputNames[0]!]!;
    const v = logits.dims[logits.dims.length - 1]!;
    const data = logits.data as Float32Array;
    return { logits: data.subarray(data.length - v), states: s.outputNames.slice(1).map((n) => r[n]!) };
  }
}

/** Options of either layout (structured-clonable). */
export type MoonshineAnyOptions = MoonshineEngineOptions | MoonshineV2Options;

export function isMoonshineV2(o: MoonshineAnyOptions): o is MoonshineV2Options {
  return typeof (o as MoonshineV2Options).mergedDecoder === 'string';
}

/** Engine factory for the inference child: methods `info` and `recognize(samples, maxTokensPerSecond)`. */
export const createMoonshineEngine: EngineFactory = async (options, ctx) => {
  const o = options as unknown as MoonshineAnyOptions;
  const model = isMoonshineV2(o) ? await MoonshineV2Model.load(o, ctx.threads) : await MoonshineModel.load(o, ctx.threads);
  const engine: InferenceEngine = {
    async call(method, args) {
      if (method === 'info') return { version: model.version, tokens: model.tokens.size, layout: model.tokens.layout };
      if (method === 'recognize') return model.recognize(args[0] as Float32Array, Number(args[1]));
      throw new AppError('ASR_ENGINE', `asr.moonshine has no method ${method}`);
    },
    dispose: () => model.dispose(),
  };
  return engine;
};
