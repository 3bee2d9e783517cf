/**
 * src/vad/silero-engine.ts — Silero VAD on onnxruntime, run inside the inference child
 * (engine kind `vad.silero`). Also loadable in-process for tests and benchmarks.
 *
 * I/O, as in snakers4/silero-vad `utils_vad.py` (OnnxWrapper):
 * - v5/v6: `input` f32[1, C + W] = the last C samples of the previous model input
 *   (context; zeros after reset) followed by W new samples, `state` f32[2, 1, 128],
 *   `sr` int64 scalar → `output` f32[1, 1], `stateN`. W = 512, C = 64 at 16 kHz
 *   (256 / 32 at 8 kHz).
 * - v4 (legacy): `input` f32[1, W] (no context), `sr`, `h`, `c` f32[2, 1, 64] →
 *   `output`, `hn`, `cn`.
 * The recurrent state and the context are carried across `probs` calls until `reset`.
 */
import { existsSync } from 'node:fs';
import type { EngineFactory, InferenceEngine } from '../inference/engine.js';
import type { GoldenSpec } from '../models/manifest.js';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';
import { checkGolden, goldenInput, type GoldenResult } from './golden.js';
import { sessionOptions } from '../inference/ort-options.js';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;
type Tensor = import('onnxruntime-node').Tensor;

export type SileroIo = 'v5' | 'v4';

export interface SileroOptions {
  modelPath: string;
  sampleRateHz: 16000 | 8000;
}

export interface SileroInfo {
  io: SileroIo;
  windowSamples: number;
  contextSamples: number;
  inputNames: readonly string[];
  outputNames: readonly string[];
}

let ortPromise: Promise<Ort> | undefined;
const loadOrt = (): Promise<Ort> => (ortPromise ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort));

const has = (names: readonly string[], want: string[]): boolean => want.every((n) => names.includes(n));

export class SileroVadModel {
  readonly info: SileroInfo;
  private readonly buf: Float32Array;
  private state: Float32Array[];
  private readonly srTensor: Tensor;

  private constructor(private readonly ort: Ort, private readonly session: Session, io: SileroIo, private readonly opts: SileroOptions) {
    const windowSamples = opts.sampleRateHz === 16000 ? 512 : 256;
    const contextSamples = io === 'v5' ? (opts.sampleRateHz === 16000 ? 64 : 32) : 0;
    this.info = { io, windowSamples, contextSamples, inputNames: session.inputNames, outputNames: session.outputNames };
    this.buf = new Float32Array(contextSamples + windowSamples);
    this.srTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(opts.sampleRateHz)]), []);
    this.state = this.zeroState();
  }

  /** Load and inspect the model; throws ModelMissingError / ModelLoadError. */
  static async load(opts: SileroOptions, threads = 1): Promise<SileroVadModel> {
    if (opts.sampleRateHz !== 16000 && opts.sampleRateHz !== 8000) {
      throw new ModelLoadError(opts.modelPath, `Silero VAD supports 16000 or 8000 Hz, not ${String(opts.sampleRateHz)}`);
    }
    if (!existsSync(opts.modelPath)) throw new ModelMissingError(opts.modelPath);
    const ort = await loadOrt();
    let session: Session;
    try {
      session = await ort.InferenceSession.create(opts.modelPath, sessionOptions(threads));
    } catch (e) {
      throw new ModelLoadError(opts.modelPath, (e as Error).message, { cause: e });
    }
    const ins = session.inputNames;
    const outs = session.outputNames;
    let io: SileroIo;
    if (has(ins, ['input', 'state', 'sr']) && has(outs, ['output', 'stateN'])) io = 'v5';
    else if (has(ins, ['input', 'sr', 'h', 'c']) && has(outs, ['output', 'hn', 'cn'])) io = 'v4';
    else {
      await session.release();
      throw new ModelLoadError(opts.modelPath, `not a Silero VAD model (inputs ${ins.join(', ')}; outputs ${outs.join(', ')})`, {
        hint: 'vad.model must name a Silero VAD v4, v5 or v6 bundle',
      });
    }
    return new SileroVadModel(ort, session, io, opts);
  }

  private zeroState(): Float32Array[] {
    return this.info.io === 'v5' ? [new Float32Array(2 * 128)] : [new Float32Array(2 * 64), new Float32Array(2 * 64)];
  }

  /** Forget the recurrent state and the context (start of a new stream). */
  reset(): void {
    this.state = this.zeroState();
    this.buf.fill(0);
  }

  /**
   * Speech probability per window. `samples.length` must be a multiple of the window
   * (512 at 16 kHz). State and context carry over to the next call.
   */
  async probs(samples: Float32Array): Promise<Float32Array> {
    const W = this.info.windowSamples;
    const C = this.info.contextSamples;
    if (samples.length % W !== 0) throw new RangeError(`probs() needs a multiple of ${W} samples, got ${samples.length}`);
    const n = samples.length / W;
    const out = new Float32Array(n);
    const T = this.ort.Tensor;
    for (let i = 0; i < n; i++) {
      // buf = [context (last C samples of the previous input) | new window]
      this.buf.set(samples.subarray(i * W, (i + 1) * W), C);
      const input = new T('float32', this.buf, [1, C + W]);
      let r: Record<string, Tensor>;
      if (this.info.io === 'v5') {
        r = await this.session.run({ input, state: new T('float32', this.state[0], [2, 1, 128]), sr: this.srTensor });
        this.state = [r.stateN.data as Float32Array];
      } else {
        r = await this.session.run({ input, sr: this.srTensor, h: new T('float32', this.state[0], [2, 1, 64]), c: new T('float32', this.state[1], [2, 1, 64]) });
        this.state = [r.hn.data as Float32Array, r.cn.data as Float32Array];
      }
      out[i] = (r.output.data as Float32Array)[0];
      if (C > 0) this.buf.copyWithin(0, W, W + C);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  get modelPath(): string {
    return this.opts.modelPath;
  }
}

/**
 * Inference-child factory for engine kind `vad.silero`: options
 * `{ modelPath, sampleRateHz, golden? }`. With `golden` (the manifest's GoldenSpec) the
 * golden-output check runs right after the session is created — on the first load and on
 * every reload after a child restart — and a mismatch fails the load (MODEL_INTEGRITY).
 */
export const createSileroEngine: EngineFactory = async (options, ctx) => {
  const modelPath = options.modelPath;
  if (typeof modelPath !== 'string' || modelPath === '') throw new ModelLoadError(String(modelPath), 'vad.silero needs options.modelPath');
  const sampleRateHz = (options.sampleRateHz ?? 16000) as 16000 | 8000;
  const model = await SileroVadModel.load({ modelPath, sampleRateHz }, ctx.threads);
  let golden: GoldenResult | undefined;
  if (options.golden !== undefined) {
    const spec = options.golden as GoldenSpec;
    try {
      golden = checkGolden(modelPath, spec, await model.probs(goldenInput(spec.input)));
    } catch (e) {
      await model.dispose();
      throw e;
    }
    model.reset();
  }
  const engine: InferenceEngine = {
    async call(method, args) {
      switch (method) {
        case 'probs':
          return model.probs(args[0] as Float32Array);
        case 'reset':
          model.reset();
          return true;
        case 'info':
          return { ...model.info, golden };
        default:
          throw new Error(`vad.silero has no method ${method}`);
      }
    },
    dispose: () => model.dispose(),
  };
  return engine;
};
