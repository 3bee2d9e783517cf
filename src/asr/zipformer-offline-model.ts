import { kaldiFbank, SHERPA_TRANSDUCER_FBANK } from '../frontend/kaldi-fbank.js';
import { ModelLoadError } from '../util/errors.js';
import { f32, i64, intValues, loadSession, run, type LoadedSession } from './transducer-ort.js';
import { GreedySearch, ModifiedBeamSearch, type DecodedTokens, type SearchOptions } from './transducer-search.js';
import { StatelessDecoderJoiner } from './transducer-stateless.js';

const FEATURE_DIM = 80;

/**
 * sherpa-onnx offline (non-streaming) Zipformer transducer export.
 * Encoder: x f32[N, T, 80], x_lens i64[N] → encoder_out f32[N, T', J], encoder_out_lens i64[N].
 * Decoder/joiner as the streaming export (stateless, context_size from metadata). Features:
 * the sherpa transducer fbank (no sample scaling, snip_edges=false, high_freq=-400).
 */
export class ZipformerOfflineModel {
  private constructor(private readonly encoder: LoadedSession, readonly decoderJoiner: StatelessDecoderJoiner) {
    if (encoder.inputNames.length !== 2 || encoder.outputNames.length !== 2) {
      throw new ModelLoadError(encoder.file, `offline transducer encoder must have 2 inputs (x, x_lens) and 2 outputs, has ${encoder.inputNames.length}/${encoder.outputNames.length}`);
    }
  }

  static async load(files: { encoder: string; decoder: string; joiner: string }, threads: number): Promise<ZipformerOfflineModel> {
    const encoder = await loadSession(files.encoder, threads);
    return new ZipformerOfflineModel(encoder, await StatelessDecoderJoiner.load(files.decoder, files.joiner, threads));
  }

  /** Encoder frames for one utterance of 16 kHz samples. */
  async encode(samples: Float32Array): Promise<{ frames: Float32Array; numFrames: number; dim: number; featureFrames: number }> {
    const feats = kaldiFbank(samples, SHERPA_TRANSDUCER_FBANK);
    if (feats.frames < 9) return { frames: new Float32Array(0), numFrames: 0, dim: 0, featureFrames: feats.frames };
    const [out, lens] = await run(this.encoder, [f32(feats.data, [1, feats.frames, FEATURE_DIM]), i64([feats.frames], [1])]);
    const numFrames = Math.min(intValues(lens)[0], out.dims[1]);
    const dim = out.dims[2];
    return { frames: (out.data as Float32Array).subarray(0, numFrames * dim), numFrames, dim, featureFrames: feats.frames };
  }

  /** opts.unkId: the `<unk>` token id (treated as blank, as sherpa-onnx does); opts.blankPenalty. */
  async recognize(samples: Float32Array, method: 'greedy_search' | 'modified_beam_search', maxActivePaths: number, opts: SearchOptions = {}): Promise<DecodedTokens & { subsampling: number }> {
    const enc = await this.encode(samples);
    const search = method === 'modified_beam_search' ? new ModifiedBeamSearch(this.decoderJoiner, maxActivePaths, opts) : new GreedySearch(this.decoderJoiner, opts);
    if (enc.numFrames > 0) await search.step(enc.frames, enc.numFrames, enc.dim, 0);
    const subsampling = enc.numFrames > 0 ? Math.max(1, Math.round(enc.featureFrames / enc.numFrames)) : 4;
    return { ...search.result(), subsampling };
  }

  async release(): Promise<void> {
    await this.encoder.session.release();
    await this.decoderJoiner.release();
  }
}
