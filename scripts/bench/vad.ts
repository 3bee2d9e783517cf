/**
 * scripts/bench/vad.ts — VAD cost per 32 ms chunk (512 samples at 16 kHz), including the
 * Node↔onnxruntime call: in-process session (median, p95 µs), and through the inference
 * child over IPC, one chunk per call and batched (per-chunk share of a batch call).
 * Run alone: node --import tsx scripts/bench/vad.ts   (needs `npm run models:fetch`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../src/config/load.js';
import { WorkerHost } from '../../src/inference/worker-host.js';
import { resolveBundle } from '../../src/models/model-store.js';
import { silentLogger } from '../../src/util/logger.js';
import { goldenInput } from '../../src/vad/golden.js';
import { SileroVadModel } from '../../src/vad/silero-engine.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const W = 512;
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Bench audio: the real pyannote sample when present, else the built-in golden clip repeated. */
async function audio(): Promise<Float32Array> {
  const candidates = [process.env.PARLEY_EVAL_DIR, fileURLToPath(new URL('../../../shared/eval', import.meta.url)), '/work/shared/eval'].filter(Boolean) as string[];
  const dir = candidates.find((d) => existsSync(`${d}/pyannote-sample/sample.wav`));
  if (dir) {
    const { readFileSync } = await import('node:fs');
    const b = readFileSync(`${dir}/pyannote-sample/sample.wav`);
    const data = b.indexOf('data');
    const n = Math.floor((b.length - data - 8) / 2);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = b.readInt16LE(data + 8 + 2 * i) / 32768;
    return x.subarray(0, Math.floor(n / W) * W);
  }
  const g = goldenInput('synthetic-voiced-v1');
  const x = new Float32Array(g.length * 15);
  for (let k = 0; k < 15; k++) x.set(g, k * g.length);
  return x;
}

export async function run(): Promise<BenchRow[]> {
  const chunks = Number(process.env.PARLEY_BENCH_VAD_CHUNKS ?? 900);
  const bundle = await resolveBundle(defaultConfig(), 'silero-vad-v6.2');
  const modelPath = bundle.files['silero_vad.onnx'];
  const x = await audio();
  const n = Math.min(chunks, x.length / W);
  const rows: BenchRow[] = [];

  const m = await SileroVadModel.load({ modelPath, sampleRateHz: 16000 }, 1);
  for (let i = 0; i < 50; i++) await m.probs(x.subarray(i * W, (i + 1) * W)); // warm-up
  m.reset();
  const inproc: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await m.probs(x.subarray(i * W, (i + 1) * W));
    inproc.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  await m.dispose();
  // CPU time (all threads of this process) per chunk: robust when the machine is shared.
  rows.push({ area: 'vad', metric: 'chunk_in_process_cpu_mean', value: Math.round((cpu.user + cpu.system) / n), unit: 'µs', note: 'process CPU time per chunk (user+sys, all threads); wall-clock figures below include waiting for a busy CPU' });
  rows.push({ area: 'vad', metric: 'chunk_in_process_median', value: Math.round(quantile(inproc, 0.5)), unit: 'µs', target: '≤ 150 µs', note: 'Silero v6.2, 1 thread, per 32 ms chunk incl. Node↔ORT call' });
  rows.push({ area: 'vad', metric: 'chunk_in_process_p95', value: Math.round(quantile(inproc, 0.95)), unit: 'µs' });

  const host = new WorkerHost({ requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 1, restartWindowMs: 60000, threads: 1, logger: silentLogger().root });
  await host.start();
  try {
    await host.load('vad', { kind: 'vad.silero', options: { modelPath, sampleRateHz: 16000 } });
    for (let i = 0; i < 50; i++) await host.call('vad', 'probs', [x.slice(i * W, (i + 1) * W)]);
    await host.call('vad', 'reset');
    const ipc: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await host.call('vad', 'probs', [x.slice(i * W, (i + 1) * W)]);
      ipc.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    rows.push({ area: 'vad', metric: 'chunk_ipc_single_median', value: Math.round(quantile(ipc, 0.5)), unit: 'µs', note: 'one chunk per IPC call to the inference child' });
    rows.push({ area: 'vad', metric: 'chunk_ipc_single_p95', value: Math.round(quantile(ipc, 0.95)), unit: 'µs' });
    const batch = 16;
    const per: number[] = [];
    for (let i = 0; i + batch <= n; i += batch) {
      const t = process.hrtime.bigint();
      await host.call('vad', 'probs', [x.slice(i * W, (i + batch) * W)]);
      per.push(Number(process.hrtime.bigint() - t) / 1000 / batch);
    }
    rows.push({ area: 'vad', metric: `chunk_ipc_batch${batch}_median`, value: Math.round(quantile(per, 0.5)), unit: 'µs', note: `per chunk, ${batch} chunks (512 ms) per IPC call` });
    rows.push({ area: 'vad', metric: `chunk_ipc_batch${batch}_p95`, value: Math.round(quantile(per, 0.95)), unit: 'µs' });
  } finally {
    await host.stop();
  }
  const rtf = (quantile(inproc, 0.5) / 1e6) / (W / 16000);
  rows.push({ area: 'vad', metric: 'real_time_factor_in_process', value: Number(rtf.toFixed(4)), unit: 'x', note: 'median chunk time / 32 ms' });
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--help')) {
    console.log('usage: node --import tsx scripts/bench/vad.ts\nVAD cost per 32 ms chunk (in-process, IPC single, IPC batched). PARLEY_BENCH_VAD_CHUNKS sets the chunk count.');
    process.exit(0);
  }
  for (const r of await run()) console.log(`${r.metric.padEnd(28)} ${String(r.value).padStart(8)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}`);
}
