/**
 * Inference-child engine the OTA acceptance test uses to run a Silero VAD (v5/v6 I/O:
 * `input` f32[1, 64+512], `state` f32[2,1,128], `sr` int64) over golden audio in a
 * fresh child, returning one speech probability per 512-sample chunk plus the child's
 * peak RSS. Kept separate from the pipeline's streaming VAD engine so a candidate model
 * is judged by the exact code path that produced the signed expectations.
 *
 * Test fault (only with PARLEY_TEST_FAULTS=1): `process` exits the child with code 134
 * when the loaded model's sha256 equals PARLEY_FAULT_CRASH_MODEL_SHA256, standing in for
 * a model that passes the golden test but crash-loops in service.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EngineFactory } from '../inference/engine.js';
import { AppError, ModelLoadError } from '../util/errors.js';
import { sessionOptions } from '../inference/ort-options.js';

const CHUNK = 512;
const CONTEXT = 64;

export const createVadProbeEngine: EngineFactory = async (options, ctx) => {
  const modelPath = String(options.modelPath ?? '');
  const ort = await import('onnxruntime-node');
  let bytes: Buffer;
  try {
    bytes = readFileSync(modelPath);
  } catch (e) {
    throw new ModelLoadError(modelPath, (e as Error).message);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(ctx.threads));
  } catch (e) {
    throw new ModelLoadError(modelPath, (e as Error).message);
  }
  for (const n of ['input', 'state', 'sr']) {
    if (!session.inputNames.includes(n)) throw new ModelLoadError(modelPath, `not a Silero v5/v6 VAD: no input ${n}`);
  }
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  let state = new Float32Array(2 * 128);
  let context = new Float32Array(CONTEXT);

  async function step(chunk: Float32Array): Promise<number> {
    const x = new Float32Array(CONTEXT + CHUNK);
    x.set(context, 0);
    x.set(chunk, CONTEXT);
    const out = await session.run({
      input: new ort.Tensor('float32', x, [1, CONTEXT + CHUNK]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    state = new Float32Array(out.stateN.data as Float32Array);
    context = x.slice(CHUNK);
    return (out.output.data as Float32Array)[0];
  }
  function reset(): void {
    state = new Float32Array(2 * 128);
    context = new Float32Array(CONTEXT);
  }

  return {
    async call(method, args) {
      if (method === 'probabilities') {
        const samples = args[0] as Float32Array;
        reset();
        const probabilities: number[] = [];
        for (let off = 0; off + CHUNK <= samples.length; off += CHUNK) probabilities.push(await step(samples.subarray(off, off + CHUNK)));
        reset();
        return { probabilities, rssMb: process.memoryUsage().rss / 1048576, sha256: sha };
      }
      if (method === 'process') {
        if (process.env.PARLEY_TEST_FAULTS === '1' && process.env.PARLEY_FAULT_CRASH_MODEL_SHA256 === sha) process.exit(134);
        return step(args[0] as Float32Array);
      }
      throw new AppError('INTERNAL', `ota.vad-probe: unknown method ${method}`);
    },
    dispose() {
      return session.release();
    },
  };
};
