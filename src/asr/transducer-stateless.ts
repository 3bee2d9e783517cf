import { ModelLoadError } from '../util/errors.js';
import type { StatelessTransducer } from './transducer-search.js';
import { f32, i64, loadSession, run, type LoadedSession } from './transducer-ort.js';

/**
 * icefall/sherpa-onnx stateless decoder + joiner, shared by the streaming and offline Zipformer
 * exports. Decoder: y i64[N, context_size] → decoder_out f32[N, J]; metadata context_size,
 * vocab_size. Joiner: encoder_out f32[N, J], decoder_out f32[N, J] → logit f32[N, vocab_size].
 */
export class StatelessDecoderJoiner implements StatelessTransducer {
  readonly contextSize: number;
  readonly vocabSize: number;

  private constructor(private readonly decoder: LoadedSession, private readonly joiner: LoadedSession) {
    this.contextSize = decoder.meta.int('context_size');
    this.vocabSize = decoder.meta.int('vocab_size');
    if (this.contextSize < 1 || this.vocabSize < 2) throw new ModelLoadError(decoder.file, 'bad context_size/vocab_size metadata');
    if (decoder.inputNames.length !== 1) throw new ModelLoadError(decoder.file, `decoder has ${decoder.inputNames.length} inputs, expected 1 (y)`);
    if (joiner.inputNames.length !== 2) throw new ModelLoadError(joiner.file, `joiner has ${joiner.inputNames.length} inputs, expected 2`);
  }

  static async load(decoderFile: string, joinerFile: string, threads: number): Promise<StatelessDecoderJoiner> {
    return new StatelessDecoderJoiner(await loadSession(decoderFile, threads), await loadSession(joinerFile, threads));
  }

  async decode(contexts: number[][]): Promise<Float32Array> {
    const flat = contexts.flat();
    const [out] = await run(this.decoder, [i64(flat, [contexts.length, this.contextSize])]);
    return out.data as Float32Array;
  }

  async join(enc: Float32Array, dec: Float32Array, n: number): Promise<Float32Array> {
    const dim = enc.length / n;
    const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.length === a.buffer.byteLength / 4 ? a : a.slice());
    const [out] = await run(this.joiner, [f32(own(enc), [n, dim]), f32(own(dec), [n, dec.length / n])]);
    if (out.dims[out.dims.length - 1] !== this.vocabSize) {
      throw new ModelLoadError(this.joiner.file, `joiner output has ${out.dims[out.dims.length - 1]} classes, decoder says vocab_size ${this.vocabSize}`);
    }
    return out.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.decoder.session.release();
    await this.joiner.session.release();
  }
}
