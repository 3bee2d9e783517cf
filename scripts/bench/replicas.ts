/**
 * Cost of the ONNX speech models at real size, on the random-weight replicas that
 * scripts/gen-replicas.py writes (run by hand; see docs/asr.md). Skipped unless
 * `--replicas DIR` is given:
 *
 *   npm run bench -- --only replicas --replicas /work/replicas [--replicas-only NAME,...]
 *
 * Per replica and for 1 and 2 intra-op threads, through the real runners in a fresh inference
 * child (WorkerHost): load time, peak RSS of the child (VmHWM), real-time factor over 30 s of
 * speech cut into 5 s utterances (the streaming Zipformer is fed 30 s in 320 ms chunks), and end
 * of speech → final text p50/p95 per utterance (offline: one recognize call; streaming: the
 * finish() after the last chunk). Decoders are forced to a realistic token count: the replicas
 * never emit their end token, Whisper is capped at 3 tokens/s (maxNewTokens), Moonshine at
 * 3 tokens/s. CAM++: one embedding per 1.5 s segment. Beside wall-clock figures, the child's CPU
 * time (/proc/<pid>/stat) per audio second and per utterance is reported: on a shared machine it
 * is much less affected by other load than wall time. Published figures from the brief are
 * printed beside them; this machine is x86, the published ones are mostly Arm boards.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerHost } from '../../src/inference/worker-host.js';
import { silentLogger } from '../../src/util/logger.js';
import { jfk, evalDir, readWavMono16 } from '../../tests/helpers/asr-eval.js';
import type { TransducerEngineOptions } from '../../src/asr/transducer-engine.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

interface Replica { name: string; engine: 'whisper' | 'moonshine' | 'zipformer-streaming' | 'transducer-offline' | 'embedding'; precision: string; params: number; bytes: number; files: Record<string, string> }

const AREA = 'replicas';
const SR = 16000;
const UTT_S = 5;
const TOKENS_PER_S = 3;

/** Published figures from the brief (anchors-performance.md), keyed by replica family and precision. */
const PUBLISHED: Record<string, string> = {
  'whisper-tiny.en-int8': 'published RTF 0.547 (1 thr) / 0.431 (2 thr), Pi 4, sherpa-onnx tiny.en int8',
  'whisper-tiny.en-fp32': 'published RTF 0.685 (1 thr) / 0.559 (2 thr), Pi 4, sherpa-onnx tiny.en fp32',
  'whisper-base.en-int8': 'no published sherpa-onnx figure in the brief; whisper.cpp base encode 2.5 s on Pi 5 (4 thr)',
  'whisper-base.en-fp32': 'no published sherpa-onnx figure in the brief',
  'moonshine-tiny-int8': 'published RTF 0.032 (maintainer Mac, 1 thr, v1 int8); Tiny Streaming eos→final 237 ms on Pi 5 (v2 model)',
  'moonshine-tiny-fp32': 'no published fp32 figure in the brief',
  'zipformer-streaming-20m-int8': 'published RTF 0.038 int8 (Mac, 1 thr); ~70M zipformer 0.697 on Pi 4 (1 thr)',
  'zipformer-streaming-20m-fp32': 'published RTF 0.049 fp32 (Mac, 1 thr)',
  'zipformer-offline-int8': 'published RTF 0.025 int8 (icefall PR 1150, server CPU)',
  'zipformer-offline-fp32': 'published RTF 0.030 fp32 (icefall PR 1150, server CPU)',
  'parakeet-tdt-0.6b-int8': 'published RTF 0.220 (1 thr) / 0.142 (2 thr) on Cortex-A76 (RK3588 = Pi 5 cores)',
  'parakeet-tdt-0.6b-fp32': 'no published fp32 figure in the brief',
  'campplus-fp32': 'CAM++ 7.2M params (3D-Speaker); sherpa diarization RTF 0.11 (Mac, seg + TitaNet-small)',
  'campplus-int8': 'no int8 CAM++ upstream; MatMul-only quantization leaves its convolutions fp32',
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** 30 s of real speech: jfk.wav then the pyannote sample. */
function speech30(): Float32Array {
  const a = jfk().samples;
  const b = readWavMono16(join(evalDir(), 'pyannote-sample', 'sample.wav')).samples;
  const out = new Float32Array(30 * SR);
  out.set(a.subarray(0, Math.min(a.length, out.length)));
  out.set(b.subarray(0, out.length - a.length), a.length);
  return out;
}

function vmHwmMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system, all threads) the process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function pct(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function engineSpec(r: Replica, dir: string): { kind: string; options: Record<string, unknown> } {
  const f = Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, resolve(dir, v)]));
  switch (r.engine) {
    case 'whisper': return { kind: 'asr.whisper', options: { encoder: f.encoder, decoder: f.decoder, tokens: f.tokens, tailPaddingFrames: 1000 } };
    case 'moonshine': return { kind: 'asr.moonshine', options: f };
    case 'embedding': return { kind: 'diarization.embedding', options: { model: f.model } };
    default: {
      const o: TransducerEngineOptions = {
        kind: r.engine, files: { encoder: f.encoder!, decoder: f.decoder!, joiner: f.joiner!, tokens: f.tokens! },
        decodingMethod: 'greedy_search', maxActivePaths: 4, blankPenalty: 0, tailPaddingSamples: 10560,
        endpoint: { enabled: false, rule1Ms: 2400, rule2Ms: 1200, rule3Ms: 20000 },
      };
      return { kind: 'asr.transducer', options: o as unknown as Record<string, unknown> };
    }
  }
}

/** Time one end-of-speech → final for an utterance (the utterance's audio already fed for streaming). */
async function utterance(host: WorkerHost, id: string, r: Replica, samples: Float32Array): Promise<number> {
  const sec = samples.length / SR;
  if (r.engine === 'zipformer-streaming') {
    const s = await host.call<number>(id, 'createStream');
    for (let p = 0; p < samples.length; p += 5120) await host.call(id, 'accept', [s, samples.subarray(p, p + 5120)]);
    const t0 = performance.now();
    await host.call(id, 'finish', [s]);
    const ms = performance.now() - t0;
    await host.call(id, 'closeStream', [s]);
    return ms;
  }
  const t0 = performance.now();
  if (r.engine === 'whisper') await host.call(id, 'recognize', [samples, { language: 'en', task: 'transcribe', maxTokensPerSecond: 6, maxNewTokens: Math.round(TOKENS_PER_S * sec) }]);
  else if (r.engine === 'moonshine') await host.call(id, 'recognize', [samples, TOKENS_PER_S]);
  else if (r.engine === 'embedding') await host.call(id, 'embed', [samples]);
  else await host.call(id, 'recognize', [samples]);
  return performance.now() - t0;
}

async function measure(r: Replica, dir: string, threads: number, audio: Float32Array): Promise<{ loadMs: number; rssMb: number; rtf: number; cpuRtf: number; p50: number; p95: number; cpuP50: number; n: number }> {
  const host = new WorkerHost({ requestTimeoutMs: 900_000, loadTimeoutMs: 900_000, maxRestarts: 0, restartWindowMs: 60_000, threads, logger: silentLogger().root });
  await host.start();
  try {
    const id = `replica:${r.name}`;
    const t0 = performance.now();
    await host.load(id, engineSpec(r, dir));
    const loadMs = performance.now() - t0;
    const segLen = (r.engine === 'embedding' ? 1.5 : UTT_S) * SR;
    const segs: Float32Array[] = [];
    for (let p = 0; p + segLen <= audio.length; p += segLen) segs.push(audio.subarray(p, p + segLen));
    await utterance(host, id, r, segs[0]!); // warm-up
    const pid = host.health().pid;
    let rtf: number;
    let cpuRtf: number;
    if (r.engine === 'zipformer-streaming') {
      const s = await host.call<number>(id, 'createStream');
      const c1 = cpuSeconds(pid);
      const t1 = performance.now();
      for (let p = 0; p < audio.length; p += 5120) await host.call(id, 'accept', [s, audio.subarray(p, p + 5120)]);
      await host.call(id, 'finish', [s]);
      rtf = (performance.now() - t1) / 1000 / (audio.length / SR);
      cpuRtf = (cpuSeconds(pid) - c1) / (audio.length / SR);
      await host.call(id, 'closeStream', [s]);
    }
    const lat: number[] = [];
    const cpu: number[] = [];
    for (const seg of segs) {
      const c0 = cpuSeconds(pid);
      lat.push(await utterance(host, id, r, seg));
      cpu.push((cpuSeconds(pid) - c0) * 1000);
    }
    rtf ??= lat.reduce((a, b) => a + b, 0) / 1000 / (segs.length * segLen / SR);
    cpuRtf ??= cpu.reduce((a, b) => a + b, 0) / 1000 / (segs.length * segLen / SR);
    return { loadMs, rssMb: vmHwmMb(pid), rtf, cpuRtf, p50: pct(lat, 50), p95: pct(lat, 95), cpuP50: pct(cpu, 50), n: lat.length };
  } finally {
    await host.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = arg('--replicas');
  if (!dir) {
    process.stderr.write('bench: replicas skipped (pass --replicas DIR made by scripts/gen-replicas.py)\n');
    return [];
  }
  const index = JSON.parse(readFileSync(join(dir, 'replicas.json'), 'utf8')) as { replicas: Replica[] };
  const only = arg('--replicas-only')?.split(',');
  const threadsList = (arg('--replicas-threads') ?? '1,2').split(',').map(Number);
  const audio = speech30();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows: BenchRow[] = [];
  for (const r of index.replicas) {
    if (only && !only.some((o) => r.name.includes(o))) continue;
    const published = PUBLISHED[r.name] ?? '';
    for (const threads of threadsList) {
      process.stderr.write(`bench: replicas ${r.name} (${(r.params / 1e6).toFixed(1)} M params, ${(r.bytes / 1e6).toFixed(0)} MB), ${threads} thread(s)\n`);
      const k = `${r.name}.t${threads}`;
      let m: Awaited<ReturnType<typeof measure>>;
      try {
        m = await measure(r, dir, threads, audio);
      } catch (e) {
        process.stderr.write(`bench: replicas ${k} FAILED: ${(e as Error).message}\n`);
        rows.push({ area: AREA, metric: `${k}.error`, value: NaN, unit: '', note: (e as Error).message.slice(0, 200) });
        continue;
      }
      process.stderr.write(`bench: replicas ${k}: load ${Math.round(m.loadMs)} ms, peak RSS ${Math.round(m.rssMb)} MB, RTF ${m.rtf.toFixed(3)} (CPU ${m.cpuRtf.toFixed(3)}), p50/p95 ${Math.round(m.p50)}/${Math.round(m.p95)} ms (CPU p50 ${Math.round(m.cpuP50)} ms)\n`);
      const what = r.engine === 'embedding' ? 'per 1.5 s segment' : r.engine === 'zipformer-streaming' ? 'finish() after 5 s' : 'per 5 s utterance';
      rows.push(
        { area: AREA, metric: `${k}.load_ms`, value: Math.round(m.loadMs), unit: 'ms', note: `${(r.bytes / 1e6).toFixed(0)} MB on disk` },
        { area: AREA, metric: `${k}.peak_rss`, value: Math.round(m.rssMb), unit: 'MB', note: 'inference child VmHWM (Node + onnxruntime + model)' },
        { area: AREA, metric: `${k}.rtf`, value: Number(m.rtf.toFixed(4)), unit: 'x', note: `${published}; here: ${cpu} (x86, shared 2 cores, load avg ${loadavg()[0]!.toFixed(1)})` },
        { area: AREA, metric: `${k}.cpu_rtf`, value: Number(m.cpuRtf.toFixed(4)), unit: 'x', note: 'CPU seconds of the child (all threads) per audio second: less sensitive to other load than wall time' },
        { area: AREA, metric: `${k}.eos_final_p50`, value: Math.round(m.p50), unit: 'ms', note: `${what}, ${m.n} samples` },
        { area: AREA, metric: `${k}.eos_final_p95`, value: Math.round(m.p95), unit: 'ms' },
        { area: AREA, metric: `${k}.eos_final_cpu_p50`, value: Math.round(m.cpuP50), unit: 'ms', note: r.engine === 'zipformer-streaming' ? 'CPU time of the child for the whole 5 s utterance (feeding + finish), all threads' : 'CPU time of the child per utterance (all threads)' },
      );
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.metric.padEnd(44)} ${String(r.value).padStart(9)} ${r.unit.padEnd(3)} ${r.note ?? ''}`);
}
