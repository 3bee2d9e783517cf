/**
 * Golden acceptance test: load a candidate bundle's models in a FRESH inference child and
 * compare their outputs on the bundle's golden audio with the signed expectations, within
 * tolerance and the latency/memory budgets. A one-bit weight flip loads fine in
 * onnxruntime (RELIABILITY.md B2.4); this is the check that catches it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerHost } from '../inference/worker-host.js';
import { ManifestError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { BundleManifest, GoldenCase } from './manifest.js';

/** Engine kind per role used for golden runs. */
export const GOLDEN_ENGINES: Record<string, string> = { vad: 'ota.vad-probe' };

export interface GoldenHostOptions {
  threads: number;
  loadTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface GoldenResult {
  name: string;
  role: string;
  probabilities: number[];
  latencyMs: number;
  rssMb: number;
  maxAbsDiff?: number;
}

/** Decode a 16 kHz mono 16-bit PCM WAV to float32 (only what golden audio needs; bounds-checked). */
export function readGoldenWav(buf: Buffer, name: string): Float32Array {
  const bad = (why: string): never => {
    throw new ManifestError('malformed', `golden audio ${name}: ${why}`);
  };
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') bad('not a RIFF/WAVE file');
  let pos = 12;
  let fmtOk = false;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) bad('short fmt chunk');
      const format = buf.readUInt16LE(body);
      const channels = buf.readUInt16LE(body + 2);
      const rate = buf.readUInt32LE(body + 4);
      const bits = buf.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || rate !== 16000 || bits !== 16) bad(`need PCM 16-bit mono 16 kHz (format ${format}, ${channels} ch, ${rate} Hz, ${bits} bit)`);
      fmtOk = true;
    } else if (id === 'data') {
      if (!fmtOk) bad('data before fmt');
      const end = Math.min(buf.length, body + size);
      const n = Math.floor((end - body) / 2);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(body + 2 * i) / 32768;
      return out;
    }
    if (size > buf.length) bad(`chunk ${JSON.stringify(id)} claims ${size} bytes`);
    pos = body + size + (size % 2);
  }
  return bad('no data chunk');
}

/** Run every golden case of the manifest against model files under `dir` (paths as in the manifest). */
export async function runGoldenCases(m: BundleManifest, dir: string, opts: GoldenHostOptions): Promise<GoldenResult[]> {
  const results: GoldenResult[] = [];
  const host = new WorkerHost({
    requestTimeoutMs: opts.requestTimeoutMs, loadTimeoutMs: opts.loadTimeoutMs, maxRestarts: 1, restartWindowMs: 60000,
    threads: opts.threads, logger: opts.logger, env: opts.env,
  });
  await host.start();
  try {
    for (const role of m.roles) {
      const kind = GOLDEN_ENGINES[role.role];
      if (!kind) {
        if (m.golden.some((g) => g.role === role.role)) throw new ManifestError('malformed', `no golden runner for role ${role.role}`);
        continue;
      }
      await host.load(`golden.${role.role}`, { kind, options: { modelPath: join(dir, role.model) } });
    }
    for (const g of m.golden) {
      const samples = readGoldenWav(readFileSync(join(dir, g.audio)), g.audio);
      const t0 = performance.now();
      const r = await host.call<{ probabilities: number[]; rssMb: number }>(`golden.${g.role}`, 'probabilities', [samples]);
      results.push({ name: g.name, role: g.role, probabilities: r.probabilities, latencyMs: performance.now() - t0, rssMb: r.rssMb });
    }
  } finally {
    await host.stop();
  }
  return results;
}

/** Compare one result with its case; throws ManifestError('golden_failed') naming the case and the margin. */
export function judgeGolden(g: GoldenCase, r: GoldenResult): GoldenResult {
  const exp = g.expected.probabilities;
  let maxAbsDiff = 0;
  if (exp) {
    if (exp.length !== r.probabilities.length) {
      throw new ManifestError('golden_failed', `case ${g.name}: ${r.probabilities.length} outputs, expected ${exp.length}`);
    }
    let at = 0;
    for (let i = 0; i < exp.length; i++) {
      // NaN compares false with everything: it must fail explicitly, never pass silently.
      if (!Number.isFinite(r.probabilities[i])) throw new ManifestError('golden_failed', `case ${g.name}: output ${i} is ${r.probabilities[i]}`);
      const d = Math.abs(exp[i] - r.probabilities[i]);
      if (d > maxAbsDiff) {
        maxAbsDiff = d;
        at = i;
      }
    }
    if (!(maxAbsDiff <= g.tolerance)) {
      throw new ManifestError('golden_failed', `case ${g.name}: output ${at} differs by ${maxAbsDiff.toFixed(4)} (tolerance ${g.tolerance})`);
    }
  }
  if (r.latencyMs > g.budgets.latency_ms) {
    throw new ManifestError('golden_failed', `case ${g.name}: latency ${r.latencyMs.toFixed(0)} ms over budget ${g.budgets.latency_ms} ms`);
  }
  if (r.rssMb > g.budgets.rss_mb) {
    throw new ManifestError('golden_failed', `case ${g.name}: child RSS ${r.rssMb.toFixed(0)} MB over budget ${g.budgets.rss_mb} MB`);
  }
  return { ...r, maxAbsDiff };
}

/** Run and judge every case; resolves with the per-case results when all pass. */
export async function goldenAcceptance(m: BundleManifest, dir: string, opts: GoldenHostOptions): Promise<GoldenResult[]> {
  if (m.golden.length === 0) throw new ManifestError('golden_failed', 'bundle has no golden cases; refusing an untested model');
  const results = await runGoldenCases(m, dir, opts);
  return m.golden.map((g, i) => judgeGolden(g, results[i]));
}
