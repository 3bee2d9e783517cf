/**
 * scripts/bench/asr.ts — ASR cost: real-time factor per engine and end-of-speech → final
 * text latency (p50/p95/p99) through the AsrStage.
 *  - PocketSphinx (real model) on jfk.wav and the LibriVox utterances of pocketsphinx-testdata.
 *  - Whisper and Moonshine with the tiny test fixtures (fp32, int8) in the inference child:
 *    these measure the runner and IPC overhead only, not the cost of real weights.
 * Run alone: node --import tsx scripts/bench/asr.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AsrStage } from '../../src/asr/asr-stage.js';
import { decodeWav, toMono16k } from '../../src/audio/wav-reader.js';
import { defaultConfig } from '../../src/config/load.js';
import { WorkerHost } from '../../src/inference/worker-host.js';
import type { PipelineSegment } from '../../src/pipeline/types.js';
import { summarize } from '../../src/storage/latency-repo.js';
import { silentLogger } from '../../src/util/logger.js';
import { fixtureModels } from '../../tests/helpers/asr-fixture-bundles.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

function evalDir(): string {
  const c = [process.env.PARLEY_EVAL_DIR, resolve(ROOT, '..', 'shared', 'eval'), '/work/shared/eval'].filter((x): x is string => !!x);
  const d = c.find((x) => existsSync(join(x, 'jfk', 'jfk.wav')));
  if (!d) throw new Error('evaluation audio not found; set PARLEY_EVAL_DIR');
  return d;
}

function wav(file: string): Float32Array {
  return toMono16k(decodeWav(readFileSync(file)));
}

/** Utterances: jfk.wav plus the LibriVox set when installed. */
function utterances(): Array<{ name: string; samples: Float32Array }> {
  const out = [{ name: 'jfk', samples: wav(join(evalDir(), 'jfk', 'jfk.wav')) }];
  if (existsSync(join(LIBRIVOX, 'fileids'))) {
    for (const f of readFileSync(join(LIBRIVOX, 'fileids'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) {
      const p = join(LIBRIVOX, `${f}.wav`);
      if (existsSync(p)) out.push({ name: f, samples: wav(p) });
    }
  }
  return out;
}

async function measure(stage: AsrStage, utts: Array<{ samples: Float32Array }>, repeats: number): Promise<{ eos: number[]; rtf: number }> {
  const eos: number[] = [];
  let audioMs = 0;
  let asrMs = 0;
  for (let r = 0; r < repeats; r++) {
    for (const u of utts) {
      const seg: PipelineSegment = { startSample: 0, endSample: u.samples.length, samples: u.samples, closedAtMonoMs: performance.now(), closeReason: 'silence' };
      const [out] = await stage.process([seg], { sessionId: 'bench', tier: 'normal', signal: new AbortController().signal });
      eos.push(performance.now() - seg.closedAtMonoMs);
      audioMs += u.samples.length / 16;
      asrMs += out!.timingsMs!.asr!;
    }
  }
  return { eos, rtf: asrMs / audioMs };
}

function rows(engine: string, m: { eos: number[]; rtf: number }, note: string): BenchRow[] {
  const p = summarize(m.eos);
  return [
    { area: 'asr', metric: `${engine}.rtf`, value: Number(m.rtf.toFixed(4)), unit: 'x', target: '< 1', note },
    { area: 'asr', metric: `${engine}.eos_to_final_p50`, value: Math.round(p.p50), unit: 'ms', note: `${p.count} utterances` },
    { area: 'asr', metric: `${engine}.eos_to_final_p95`, value: Math.round(p.p95), unit: 'ms' },
    { area: 'asr', metric: `${engine}.eos_to_final_p99`, value: Math.round(p.p99), unit: 'ms' },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const log = silentLogger().root;
  const out: BenchRow[] = [];
  const utts = utterances();
  const ps = await AsrStage.create({ cfg: defaultConfig({ asr: { engine: 'pocketsphinx' } }), host: null, logger: log });
  out.push(...rows('pocketsphinx', await measure(ps, utts, 1), `real en-us model; ${utts.length} utterances (jfk + LibriVox)`));
  await ps.close();

  const models = fixtureModels();
  const host = new WorkerHost({ requestTimeoutMs: 60000, loadTimeoutMs: 60000, maxRestarts: 2, restartWindowMs: 60000, threads: 1, logger: log });
  await host.start();
  try {
    for (const [engine, model] of [['whisper', 'fixture-whisper-fp32'], ['whisper', 'fixture-whisper-int8'], ['moonshine', 'fixture-moonshine-int8']] as const) {
      const cfg = defaultConfig({ asr: { engine, model }, models: { dir: models.dir, manifest: models.manifest } });
      const stage = await AsrStage.create({ cfg, host, logger: log });
      const note = 'tiny test-fixture weights in the inference child: runner + IPC overhead, not real-model cost';
      out.push(...rows(`${engine}.${model.replace(/^fixture-[a-z]+-/, '')}`, await measure(stage, utts.slice(0, 3), 2), note));
      await stage.close();
    }
  } finally {
    await host.stop();
    models.cleanup();
  }
  return out;
}

if (process.argv[1] && /bench[\\/]asr\.ts$/.test(process.argv[1])) {
  run().then((r) => console.table(r), (e: unknown) => { console.error(e); process.exitCode = 1; });
}
