import type { EngineFactory, InferenceEngine } from '../inference/engine.js';
import { AppError } from '../util/errors.js';
import { ParakeetTdtModel } from './parakeet-tdt-model.js';
import { readTokens, type SymbolTable } from './tokens.js';
import { defaultEndpointRules } from './transducer-endpoint.js';
import { onnxPrecision, readOnnxMetadata } from './transducer-onnx-metadata.js';
import { tokensToText, type TokenText } from './transducer-text.js';
import { ZipformerOfflineModel } from './zipformer-offline-model.js';
import { ZipformerStreamingModel } from './zipformer-streaming-model.js';
import { ZipformerStream, type StreamOptions } from './zipformer-streaming-stream.js';

/** Options of the 'asr.transducer' engine (structured-clonable; built by transducer-factory.ts). */
export interface TransducerEngineOptions {
  kind: 'zipformer-streaming' | 'transducer-offline';
  files: { encoder: string; decoder: string; joiner: string; tokens: string };
  decodingMethod: 'greedy_search' | 'modified_beam_search';
  maxActivePaths: number;
  /** Subtracted from the blank logit (0 = off). */
  blankPenalty: number;
  tailPaddingSamples: number;
  endpoint: { enabled: boolean; rule1Ms: number; rule2Ms: number; rule3Ms: number };
}

export type TransducerFamily = 'zipformer-streaming' | 'zipformer-offline' | 'parakeet-tdt';

/** What crosses the IPC boundary for one decoded utterance. */
export interface TransducerWireResult extends TokenText {
  tokenIds: number[];
}

export interface TransducerEngineInfo {
  family: TransducerFamily;
  precision: 'int8' | 'fp32';
}

const FEATURE_SHIFT_MS = 10;

function toWire(t: TokenText, ids: number[]): TransducerWireResult | null {
  return t.text.trim() === '' ? null : { ...t, tokenIds: ids };
}

/**
 * Worker-side engine 'asr.transducer'. Methods:
 *  info() → TransducerEngineInfo
 *  streaming kind: createStream() → id; accept(id, Float32Array) → {text,isFinal,endpointRule};
 *    finish(id) → TransducerWireResult | null; reset(id); closeStream(id)
 *  offline kind: recognize(Float32Array) → TransducerWireResult | null
 */
export const createTransducerEngine: EngineFactory = async (raw, ctx) => {
  const o = raw as unknown as TransducerEngineOptions;
  if (!o || !o.files || (o.kind !== 'zipformer-streaming' && o.kind !== 'transducer-offline')) {
    throw new AppError('ASR_ENGINE', `asr.transducer: bad engine options (kind ${String(o?.kind)})`);
  }
  const table = readTokens(o.files.tokens);
  const precision = onnxPrecision(o.files.encoder);
  if (o.kind === 'zipformer-streaming') return streamingEngine(await ZipformerStreamingModel.load(o.files, ctx.threads), table, o, precision);
  const meta = readOnnxMetadata(o.files.encoder);
  const isNemo = (meta.model_type ?? '').startsWith('EncDec') || 'pred_rnn_layers' in meta;
  if (isNemo) {
    const m = await ParakeetTdtModel.load(o.files, ctx.threads);
    if (table.size !== m.vocabSize || table.id('<blk>') !== m.blankId) {
      throw new AppError('MODEL_LOAD', `${o.files.tokens}: NeMo tokens.txt must have ${m.vocabSize} entries with <blk> last`);
    }
    m.unkId = table.id('<unk>') ?? -1;
    return offlineEngine({ family: 'parakeet-tdt', precision }, async (s) => {
      const r = await m.recognize(s, { blankPenalty: o.blankPenalty, method: o.decodingMethod, maxActivePaths: o.maxActivePaths });
      return toWire(tokensToText(r.tokens, r.frames, r.probs, table, FEATURE_SHIFT_MS * r.subsampling), r.tokens);
    }, () => m.release());
  }
  const m = await ZipformerOfflineModel.load(o.files, ctx.threads);
  return offlineEngine({ family: 'zipformer-offline', precision }, async (s) => {
    const r = await m.recognize(s, o.decodingMethod, o.maxActivePaths, { unkId: table.id('<unk>') ?? -1, blankPenalty: o.blankPenalty });
    return toWire(tokensToText(r.tokens, r.frames, r.probs, table, FEATURE_SHIFT_MS * r.subsampling), r.tokens);
  }, () => m.release());
};

function offlineEngine(info: TransducerEngineInfo, recognize: (s: Float32Array) => Promise<TransducerWireResult | null>, release: () => Promise<void>): InferenceEngine {
  return {
    async call(method, args) {
      if (method === 'info') return info;
      if (method === 'recognize') return recognize(asSamples(args[0]));
      throw new AppError('ASR_ENGINE', `asr.transducer (${info.family}): unknown method ${method}`);
    },
    dispose: release,
  };
}

function streamingEngine(model: ZipformerStreamingModel, table: SymbolTable, o: TransducerEngineOptions, precision: 'int8' | 'fp32'): InferenceEngine {
  const streams = new Map<number, ZipformerStream>();
  let nextId = 1;
  const opts: StreamOptions = {
    decodingMethod: o.decodingMethod,
    maxActivePaths: o.maxActivePaths,
    tailPaddingSamples: o.tailPaddingSamples,
    blankPenalty: o.blankPenalty,
    endpoint: { enabled: o.endpoint.enabled, rules: defaultEndpointRules(o.endpoint.rule1Ms, o.endpoint.rule2Ms, o.endpoint.rule3Ms) },
  };
  const get = (id: unknown): ZipformerStream => {
    const s = streams.get(Number(id));
    if (!s) throw new AppError('ASR_ENGINE', `asr.transducer: unknown stream ${String(id)}`);
    return s;
  };
  // worker-main serves requests in order; this also keeps one stream ordered for in-process use.
  const chains = new Map<number, Promise<unknown>>();
  const serial = <T>(id: unknown, fn: () => Promise<T> | T): Promise<T> => {
    const key = Number(id);
    const next = (chains.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    chains.set(key, next);
    return next;
  };
  return {
    async call(method, args) {
      switch (method) {
        case 'info': return { family: 'zipformer-streaming', precision } satisfies TransducerEngineInfo;
        case 'createStream': {
          const id = nextId++;
          streams.set(id, new ZipformerStream(model, table, opts));
          return id;
        }
        case 'accept': {
          const samples = asSamples(args[1]);
          return serial(args[0], () => get(args[0]).accept(samples));
        }
        case 'finish': return serial(args[0], async () => {
          const r = await get(args[0]).finish();
          return toWire(r, r.tokenIds);
        });
        case 'reset': return serial(args[0], () => { get(args[0]).reset(); return true; });
        case 'closeStream': return serial(args[0], () => { chains.delete(Number(args[0])); return streams.delete(Number(args[0])); });
        default: throw new AppError('ASR_ENGINE', `asr.transducer (zipformer-streaming): unknown method ${method}`);
      }
    },
    dispose: async () => { streams.clear(); await model.release(); },
  };
}

function asSamples(v: unknown): Float32Array {
  if (v instanceof Float32Array) return v;
  throw new AppError('ASR_ENGINE', 'asr.transducer: samples must be a Float32Array (16 kHz mono)');
}
