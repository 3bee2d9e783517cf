import { ModelLoadError } from '../util/errors.js';
import type { StatelessTransducer } from './transducer-search.js';
import { f32, i64, loadSession, run, type LoadedSession, type ort } from './transducer-ort.js';
import { StatelessDecoderJoiner } from './transducer-stateless.js';

/**
 * sherpa-onnx streaming Zipformer transducer exports, both layouts (chosen by the encoder
 * metadata `model_type`: 'zipformer2', or 'zipformer' for the v1 / stateless7-streaming models
 * such as the 20M English model; without model_type, by the presence of query_head_dims).
 *
 * zipformer2:
 * Encoder inputs (positional): x f32[N, T, 80], then per layer m (summed over stacks) six cached
 * states — cached_key [left_ctx, N, query_head_dim·num_heads], cached_nonlin_attn
 * [1, N, left_ctx, 3·dim/4], cached_val1 / cached_val2 [left_ctx, N, value_head_dim·num_heads],
 * cached_conv1 / cached_conv2 [N, dim, kernel/2] — then embed_states f32[N, 128, 3, 19] and
 * processed_lens i64[N]. Outputs: encoder_out [N, T', J] followed by the new states in the same
 * order. Metadata (encoder): encoder_dims, query_head_dims, value_head_dims, num_heads,
 * num_encoder_layers, cnn_module_kernels, left_context_len (comma lists), T, decode_chunk_len.
 *
 * zipformer (v1): x, then 7 groups × stacks: cached_len i64[layers, N], cached_avg [layers, N, dim],
 * cached_key [layers, left_ctx, N, attention_dim], cached_val / cached_val2 [layers, left_ctx, N,
 * attention_dim/2], cached_conv1 / cached_conv2 [layers, N, dim, kernel−1] (all stacks' cached_len
 * first, then all cached_avg, ...). Metadata: encoder_dims, attention_dims, num_encoder_layers,
 * cnn_module_kernels, left_context_len, T, decode_chunk_len.
 *
 * Each step feeds T feature frames and advances by decode_chunk_len.
 */
export interface ZipformerStreamingMeta {
  version: 1 | 2;
  encoderDims: number[];
  /** v1 only (empty for v2). */
  attentionDims: number[];
  queryHeadDims: number[];
  valueHeadDims: number[];
  numHeads: number[];
  numEncoderLayers: number[];
  cnnModuleKernels: number[];
  leftContextLen: number[];
  chunkFrames: number;
  chunkShiftFrames: number;
}

export class ZipformerStreamingModel {
  readonly decoderJoiner: StatelessTransducer;
  readonly meta: ZipformerStreamingMeta;
  readonly featureDim = 80;

  private constructor(private readonly encoder: LoadedSession, dj: StatelessDecoderJoiner) {
    this.decoderJoiner = dj;
    const m = encoder.meta;
    const modelType = m.str('model_type', m.has('query_head_dims') ? 'zipformer2' : 'zipformer');
    if (modelType !== 'zipformer2' && modelType !== 'zipformer') {
      throw new ModelLoadError(encoder.file, `model_type "${modelType}" is not a streaming Zipformer export (expected zipformer or zipformer2)`);
    }
    const v2 = modelType === 'zipformer2';
    const meta: ZipformerStreamingMeta = {
      version: v2 ? 2 : 1,
      encoderDims: m.ints('encoder_dims'),
      attentionDims: v2 ? [] : m.ints('attention_dims'),
      queryHeadDims: v2 ? m.ints('query_head_dims') : [],
      valueHeadDims: v2 ? m.ints('value_head_dims') : [],
      numHeads: v2 ? m.ints('num_heads') : [],
      numEncoderLayers: m.ints('num_encoder_layers'),
      cnnModuleKernels: m.ints('cnn_module_kernels'),
      leftContextLen: m.ints('left_context_len'),
      chunkFrames: m.int('T'),
      chunkShiftFrames: m.int('decode_chunk_len'),
    };
    const stacks = meta.encoderDims.length;
    for (const [k, v] of Object.entries(meta)) {
      if (Array.isArray(v) && v.length > 0 && v.length !== stacks) throw new ModelLoadError(encoder.file, `metadata ${k} has ${v.length} entries, encoder_dims has ${stacks}`);
    }
    const layers = meta.numEncoderLayers.reduce((a, b) => a + b, 0);
    const expected = v2 ? 1 + 6 * layers + 2 : 1 + 7 * stacks;
    if (encoder.inputNames.length !== expected) {
      throw new ModelLoadError(encoder.file, `encoder has ${encoder.inputNames.length} inputs, expected ${expected} for a ${modelType} export with ${stacks} stacks / ${layers} layers`);
    }
    if (!(meta.chunkFrames > meta.chunkShiftFrames && meta.chunkShiftFrames > 0)) throw new ModelLoadError(encoder.file, 'metadata T must exceed decode_chunk_len > 0');
    this.meta = meta;
  }

  static async load(files: { encoder: string; decoder: string; joiner: string }, threads: number): Promise<ZipformerStreamingModel> {
    const encoder = await loadSession(files.encoder, threads);
    const dj = await StatelessDecoderJoiner.load(files.decoder, files.joiner, threads);
    return new ZipformerStreamingModel(encoder, dj);
  }

  /** Zero states for one stream (batch 1), in input order. */
  initStates(): ort.Tensor[] {
    const m = this.meta;
    const s: ort.Tensor[] = [];
    const zeros = (dims: number[]): ort.Tensor => f32(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    if (m.version === 1) {
      const n = m.encoderDims.length;
      const per = (f: (i: number) => ort.Tensor): ort.Tensor[] => Array.from({ length: n }, (_, i) => f(i));
      const L = m.numEncoderLayers;
      return [
        ...per((i) => i64(new Array<number>(L[i]).fill(0), [L[i], 1])),
        ...per((i) => zeros([L[i], 1, m.encoderDims[i]])),
        ...per((i) => zeros([L[i], m.leftContextLen[i], 1, m.attentionDims[i]])),
        ...per((i) => zeros([L[i], m.leftContextLen[i], 1, Math.floor(m.attentionDims[i] / 2)])),
        ...per((i) => zeros([L[i], m.leftContextLen[i], 1, Math.floor(m.attentionDims[i] / 2)])),
        ...per((i) => zeros([L[i], 1, m.encoderDims[i], m.cnnModuleKernels[i] - 1])),
        ...per((i) => zeros([L[i], 1, m.encoderDims[i], m.cnnModuleKernels[i] - 1])),
      ];
    }
    for (let i = 0; i < m.encoderDims.length; i++) {
      const left = m.leftContextLen[i];
      const keyDim = m.queryHeadDims[i] * m.numHeads[i];
      const valueDim = m.valueHeadDims[i] * m.numHeads[i];
      const d = m.encoderDims[i];
      const half = Math.floor(m.cnnModuleKernels[i] / 2);
      for (let j = 0; j < m.numEncoderLayers[i]; j++) {
        s.push(zeros([left, 1, keyDim]), zeros([1, 1, left, Math.floor((3 * d) / 4)]), zeros([left, 1, valueDim]),
          zeros([left, 1, valueDim]), zeros([1, d, half]), zeros([1, d, half]));
      }
    }
    const embedDim = Math.floor((Math.floor((this.featureDim - 1) / 2) - 1) / 2);
    s.push(zeros([1, 128, 3, embedDim]), i64([0], [1]));
    return s;
  }

  /** Run one chunk of chunkFrames feature frames; returns encoder frames [T', J] and the next states. */
  async runChunk(features: Float32Array, states: ort.Tensor[]): Promise<{ frames: Float32Array; numFrames: number; dim: number; states: ort.Tensor[] }> {
    const x = f32(features, [1, this.meta.chunkFrames, this.featureDim]);
    const out = await run(this.encoder, [x, ...states]);
    const enc = out[0];
    return { frames: enc.data as Float32Array, numFrames: enc.dims[1], dim: enc.dims[2], states: out.slice(1) };
  }

  async release(): Promise<void> {
    await this.encoder.session.release();
    await (this.decoderJoiner as StatelessDecoderJoiner).release();
  }
}
