/**
 * Whisper runner for the sherpa-onnx export, in the inference child (engine kind
 * 'asr.whisper'). Encoder: mel (1, n_mels, T) → n_layer_cross_k/v. Decoder: tokens,
 * in_n_layer_self_k/v_cache (n_text_layer, 1, n_text_ctx, n_text_state), n_layer_cross_k/v,
 * offset → logits, out_n_layer_self_k/v_cache. Greedy search as sherpa-onnx does it:
 * language detection from the logits after [sot] (multilingual models, language auto),
 * the sot sequence with language and task, no_timestamps, then one token per step until
 * eot, the token cap or the text context. Features: whisper-mel.ts, normalized over the
 * audio and followed by zero tail frames (sherpa's layout), or padded to the encoder's
 * fixed input length when the export has one.
 */
import type { EngineFactory, InferenceEngine } from '../inference/engine.js';
import { AppError } from '../util/errors.js';
import { whisperLogMelSherpa, WHISPER_CHUNK_FRAMES, type LogMel } from '../frontend/whisper-mel.js';
import { argmax, createSession, expectIo, inputShape, logSoftmaxAt, ort } from './onnx-session.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import { parseWhisperMeta, type WhisperMeta } from './whisper-meta.js';
import { TokenTable } from './whisper-tokens.js';

export interface WhisperEngineOptions {
  encoder: string;
  decoder: string;
  tokens: string;
  /** Zero frames appended after the audio's features (sherpa-onnx default 1000). */
  tailPaddingFrames?: number;
}

export interface WhisperDecodeOptions {
  /** 'auto' (detect; multilingual models) or a language code the model knows. */
  language: string;
  task: 'transcribe' | 'translate';
  /** Token cap per second of audio (sherpa-onnx uses 6). */
  maxTokensPerSecond: number;
  maxNewTokens: number;
}

export interface WhisperDecodeResult {
  tokens: number[];
  text: string;
  language: string;
  /** Probability of the no-speech token at the sot position of the first decoder step. */
  noSpeechProb: number;
  /** Mean log-probability of the emitted tokens (0 when none). */
  avgLogProb: number;
  /** The decode stopped at the token cap or the text context, not at eot. */
  hitTokenCap: boolean;
  /** Sum of the emitted tokens' log-probabilities. */
  sumLogProb: number;
  /** Log-probability of the eot that ended the decode; null when it did not end at eot. */
  eotLogProb: number | null;
  audioFrames: number;
}

const ENC_IN = ['mel'];
const ENC_OUT = ['n_layer_cross_k', 'n_layer_cross_v'];
const DEC_IN = ['tokens', 'in_n_layer_self_k_cache', 'in_n_layer_self_v_cache', 'n_layer_cross_k', 'n_layer_cross_v', 'offset'];
const DEC_OUT = ['logits', 'out_n_layer_self_k_cache', 'out_n_layer_self_v_cache'];

export class WhisperModel {
  private constructor(
    readonly meta: WhisperMeta,
    readonly tokens: TokenTable,
    private readonly enc: ort.InferenceSession,
    private readonly dec: ort.InferenceSession,
    private readonly fixedFrames: number | null,
    private readonly tailFrames: number,
  ) {}

  static async load(o: WhisperEngineOptions, threads: number): Promise<WhisperModel> {
    const tokens = TokenTable.load(o.tokens);
    const enc = await createSession(o.encoder, threads);
    const dec = await createSession(o.decoder, threads);
    expectIo(enc, o.encoder, ENC_IN, ENC_OUT);
    expectIo(dec, o.decoder, DEC_IN, DEC_OUT);
    const meta = parseWhisperMeta(readOnnxMetadata(o.encoder), o.encoder);
    const t = inputShape(enc, 'mel')[2];
    return new WhisperModel(meta, tokens, enc, dec, typeof t === 'number' && t > 0 ? t : null, o.tailPaddingFrames ?? 1000);
  }

  /** Features in the layout the encoder expects, from 16 kHz samples. */
  features(samples: Float32Array): { mel: LogMel; audioFrames: number } {
    const audioFrames = Math.min(Math.floor(Math.max(samples.length, 201) / 160), WHISPER_CHUNK_FRAMES - 50);
    const mel = whisperLogMelSherpa(samples, this.meta.nMels as 80 | 128, this.tailFrames, this.fixedFrames ?? undefined);
    return { mel, audioFrames };
  }

  async recognize(samples: Float32Array, o: WhisperDecodeOptions): Promise<WhisperDecodeResult> {
    const { mel, audioFrames } = this.features(samples);
    return this.decodeMel(mel, audioFrames, o);
  }

  async decodeMel(mel: LogMel, audioFrames: number, o: WhisperDecodeOptions): Promise<WhisperDecodeResult> {
    const m = this.meta;
    const melT = new ort.Tensor('float32', mel.data, [1, mel.nMels, mel.frames]);
    const encOut = await this.enc.run({ mel: melT });
    const crossK = encOut.n_layer_cross_k!;
    const crossV = encOut.n_layer_cross_v!;
    const initial = [...m.sotSequence];
    let language = 'en';
    if (m.isMultilingual) {
      let lang: number;
      if (o.language === 'auto') lang = await this.detectLanguage(crossK, crossV);
      else {
        const id = m.languages.get(o.language);
        if (id === undefined) throw new AppError('ASR_ENGINE', `language ${o.language} is not supported by this Whisper model`, { hint: 'set asr.whisper.language to auto or a code the model lists' });
        lang = id;
      }
      initial[1] = lang;
      if (o.task === 'translate') initial[2] = m.translate;
      language = [...m.languages].find(([, id]) => id === lang)?.[0] ?? '';
    }
    initial.push(m.noTimestamps);
    let out = await this.step(initial, this.zeroCache(), this.zeroCache(), crossK, crossV, 0);
    const vocab = out.logits.dims[2]!;
    const logits0 = out.logits.data as Float32Array;
    const noSpeechProb = Math.exp(logSoftmaxAt(logits0, m.sotIndex * vocab, vocab, m.noSpeech));
    let row = logits0.subarray((initial.length - 1) * vocab, initial.length * vocab);
    let offset = initial.length;
    const cap = Math.min(Math.floor((audioFrames / 100) * o.maxTokensPerSecond), o.maxNewTokens, Math.floor(m.nTextCtx / 2));
    const tokens: number[] = [];
    let logProb = 0;
    let eotLogProb: number | null = null;
    let outOfContext = false;
    for (let i = 0; i < cap; i++) {
      const tok = argmax(row);
      if (tok === m.eot) {
        eotLogProb = logSoftmaxAt(row, 0, vocab, tok);
        break;
      }
      tokens.push(tok);
      logProb += logSoftmaxAt(row, 0, vocab, tok);
      out = await this.step([tok], out.k, out.v, crossK, crossV, offset);
      offset++;
      if (offset >= m.nTextCtx - 1) {
        outOfContext = true;
        break;
      }
      row = out.logits.data as Float32Array;
    }
    // sherpa-onnx keeps a decode of exactly `cap` tokens; the logits after the last allowed
    // token tell whether it was complete (eot next) or a runaway.
    if (eotLogProb === null && !outOfContext && tokens.length === cap && cap > 0 && argmax(row) === m.eot) {
      eotLogProb = logSoftmaxAt(row, 0, vocab, m.eot);
    }
    const hitTokenCap = cap > 0 && eotLogProb === null;
    return {
      tokens, text: this.tokens.decode(tokens).trim(), language, noSpeechProb,
      avgLogProb: tokens.length > 0 ? logProb / tokens.length : 0, hitTokenCap, audioFrames,
      sumLogProb: logProb, eotLogProb,
    };
  }

  async dispose(): Promise<void> {
    await this.enc.release();
    await this.dec.release();
  }

  private async detectLanguage(crossK: ort.Tensor, crossV: ort.Tensor): Promise<number> {
    const out = await this.step([this.meta.sot], this.zeroCache(), this.zeroCache(), crossK, crossV, 0);
    const logits = out.logits.data as Float32Array;
    let best = -1;
    let bestV = -Infinity;
    for (const id of this.meta.languages.values()) {
      if (logits[id]! > bestV) {
        bestV = logits[id]!;
        best = id;
      }
    }
    return best;
  }

  private zeroCache(): ort.Tensor {
    const m = this.meta;
    return new ort.Tensor('float32', new Float32Array(m.nTextLayer * m.nTextCtx * m.nTextState), [m.nTextLayer, 1, m.nTextCtx, m.nTextState]);
  }

  private async step(tokens: number[], k: ort.Tensor, v: ort.Tensor, crossK: ort.Tensor, crossV: ort.Tensor, offset: number): Promise<{ logits: ort.Tensor; k: ort.Tensor; v: ort.Tensor }> {
    const r = await this.dec.run({
      tokens: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, tokens.length]),
      in_n_layer_self_k_cache: k,
      in_n_layer_self_v_cache: v,
      n_layer_cross_k: crossK,
      n_layer_cross_v: crossV,
      offset: new ort.Tensor('int64', BigInt64Array.of(BigInt(offset)), [1]),
    });
    return { logits: r.logits!, k: r.out_n_layer_self_k_cache!, v: r.out_n_layer_self_v_cache! };
  }
}

/** Engine factory for the inference child: methods `info` and `recognize(samples, options)`. */
export const createWhisperEngine: EngineFactory = async (options, ctx) => {
  const model = await WhisperModel.load(options as unknown as WhisperEngineOptions, ctx.threads);
  const engine: InferenceEngine = {
    async call(method, args) {
      if (method === 'info') {
        const m = model.meta;
        return { modelType: m.modelType, nMels: m.nMels, multilingual: m.isMultilingual, languages: [...m.languages.keys()], vocab: m.nVocab, tokens: model.tokens.size };
      }
      if (method === 'recognize') return model.recognize(args[0] as Float32Array, args[1] as WhisperDecodeOptions);
      throw new AppError('ASR_ENGINE', `asr.whisper has no method ${method}`);
    },
    dispose: () => model.dispose(),
  };
  return engine;
};
