import { ModelLoadError } from '../util/errors.js';
import type { StatelessTransducer } from './transducer-search.js';
import { f32, i64, loadSession, run, type LoadedSession, type ort } from './transducer-ort.js';
import { StatelessDecoderJoiner } from './transducer-stateless.js';

/**
 * sherpa-onnx streaming Zipformer (zipformer2) transducer export.
 *
 * Encoder inputs (positional): x f32[N, T, 80], then per layer m (summed over stacks) six cached
 * states — cached_key [left_ctx, N, query_head_dim·num_heads], cached_nonlin_attn
 * [1, N, left_ctx, 3·dim/4], cached_val1 / cached_val2 [left_ctx, N, value_head_dim·num_heads],
 * cached_conv1 / cached_conv2 [N, dim, kernel/2] — then embed_states f32[N, 128, 3, 19] and
 * processed_lens i64[N]. Outputs: encoder_out [N, T', J] followed by the new states in the same
 * order. Metadata (encoder): encoder_dims, query_head_dims, value_head_dims, num_heads,
 * num_encoder_layers, cnn_module_kernels, left_context_len (comma lists), T, decode_chunk_len.
 * Each step feeds T feature frames and advances by decode_chunk_len.
 */
export interface ZipformerStreamingMeta {
  encoderDims: number[];
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
    const meta: ZipformerStreamingMeta = {
      encoderDims: m.ints('encoder_dims'),
      queryHeadDims: m.ints('query_head_dims'),
      valueHeadDims: m.ints('value_head_dims'),
      numHeads: m.ints('num_heads'),
      numEncoderLayers: m.ints('num_encoder_layers'),
      cnnModuleKernels: m.ints('cnn_module_kernels'),
      leftContextLen: m.ints('left_context_len'),
      chunkFrames: m.int('T'),
      chunkShiftFrames: m.int('decode_chunk_len'),
    };
    const stacks = meta.encoderDims.length;
    for (const [k, v] of Object.entries(meta)) {
      if (Array.isArray(v) && v.length !== stacks) throw new ModelLoadError(encoder.file, `metadata ${k} has ${v.length} entries, encoder_dims has ${stacks}`);
    }
    const layers = meta.numEncoderLayers.reduce((a, b) => a + b, 0);
    if (encoder.inputNames.length !== 1 + 6 * layers + 2) {
      throw new ModelLoadError(encoder.file, `encoder has ${encoder.inputNames.length} inputs, expected ${1 + 6 * layers + 2} for ${layers} layers (not a zipformer2 streaming export?)`);
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
