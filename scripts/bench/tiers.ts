/**
 * scripts/bench/tiers.ts: tier decision cost, backlog drain rate, monitor sampling cost and
 * an RSS sampler for paced runs. Exports run(): BenchRow[] (wired into `npm run bench`).
 * Standalone: node --import tsx scripts/bench/tiers.ts
 * RSS over a paced run: node --import tsx scripts/bench/tiers.ts --rss <pid> <seconds> [intervalS]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import { SystemMetricsSource } from '../../src/monitor/metrics-source.js';
import { emptyReadings } from '../../src/monitor/readings.js';
import { CatchUp } from '../../src/pipeline/catch-up.js';
import type { SegmentStage } from '../../src/pipeline/types.js';
import { BacklogRepo } from '../../src/storage/backlog-repo.js';
import { openDatabase } from '../../src/storage/db.js';
import { TierController } from '../../src/supervisor/tiers.js';
import { silentLogger } from '../../src/util/logger.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

function tierDecisionCost(): BenchRow {
  const c = new TierController(defaultConfig().tiers);
  const n = 200_000;
  const r = { ...emptyReadings(), memAvailableMb: 3000, memAvailablePct: 40, diskFreeMb: 9000, pipeline: { rtf: 0.5, queueDepth: 1, queueDurationMs: 500 } };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    r.maxTempC = 60 + 30 * Math.abs(Math.sin(i / 5000));
    c.update(r, i * 100);
  }
  return { area: 'tiers', metric: 'tier_decision_cost', value: round(((performance.now() - t0) * 1000) / n, 3), unit: 'µs', target: '< 50 µs', note: `${n} updates over a noisy 60-90 °C series` };
}

async function monitorSampleCost(): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mon-'));
  try {
    const src = new SystemMetricsSource(defaultConfig({ storage: { db_path: join(dir, 'x.db') }, monitor: { use_vcgencmd: false } }));
    await src.readAll();
    const n = 10;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await src.readAll();
    return { area: 'tiers', metric: 'monitor_sample_cost', value: round((performance.now() - t0) / n, 1), unit: 'ms', target: '< 500 ms (default interval 5 s)', note: 'systeminformation mem + /proc/stat, loadavg + statfs + sysfs + /proc/self/status' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stand-in ASR stage (the real stages are benchmarked by their own areas): touches every sample. */
const standIn: SegmentStage = {
  name: 'asr',
  async process(segs) {
    return segs.map((s) => {
      let e = 0;
      for (const v of s.samples) e += v * v;
      return { ...s, text: e > 0 ? 'speech' : '' };
    });
  },
  describe: () => ({ engine: 'bench-stand-in' }),
};

async function drainRate(): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-drain-'));
  const cfg = defaultConfig({ storage: { db_path: join(dir, 'parley.db'), audio_dir: join(dir, 'audio') } });
  const pdb = openDatabase(cfg.storage, { logger: silentLogger().root });
  try {
    const sessionId = pdb.sessions.start({ source: 'bench', deviceId: 'bench', wallStartMs: Date.now() }).sessionId;
    const backlog = new BacklogRepo({ db: pdb.db, dir: join(dir, 'audio', 'backlog'), maxBytes: 1e9, dropPolicy: 'drop-newest' });
    const items = 60;
    const seg = new Float32Array(16000 * 5).map((_, i) => 0.1 * Math.sin(i / 10));
    for (let i = 0; i < items; i++) {
      const start = i * 16000 * 6;
      pdb.segments.insert(sessionId, { startSample: start, endSample: start + seg.length, samples: seg, closedAtMonoMs: 0, closeReason: 'silence' }, { tier: 'minimal', wallStartMs: Date.now(), deviceId: 'bench' });
      backlog.enqueue({ sessionId, startSample: start, endSample: start + seg.length, samples: seg });
    }
    const cu = new CatchUp({ db: pdb, stages: [standIn], backlog, logger: silentLogger().root, canRun: () => true, pollMs: 10 });
    const t0 = performance.now();
    cu.start();
    while (cu.stats().queued > 0) await new Promise((r) => setTimeout(r, 5));
    const wallS = (performance.now() - t0) / 1000;
    await cu.stop();
    return { area: 'tiers', metric: 'backlog_drain_rate', value: round((items * 5) / wallS, 1), unit: 'audio s / wall s', note: 'stand-in stage: measures spool read + revise + delete overhead, not ASR' };
  } finally {
    pdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sample VmRSS of `pid` every intervalS for durationS; returns first/last/max and the slope. */
export async function sampleRss(pid: number, durationS: number, intervalS = 5): Promise<{ samplesMb: number[]; firstMb: number; lastMb: number; maxMb: number; slopeMbPerHour: number }> {
  const samples: number[] = [];
  const end = Date.now() + durationS * 1000;
  while (Date.now() < end) {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m?.[1]) samples.push(Number(m[1]) / 1024);
    await new Promise((r) => setTimeout(r, intervalS * 1000));
  }
  const n = samples.length;
  const xs = samples.map((_, i) => i * intervalS);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = samples.reduce((a, b) => a + b, 0) / n;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * ((samples[i] as number) - my), 0) / Math.max(1e-9, xs.reduce((a, x) => a + (x - mx) ** 2, 0));
  return { samplesMb: samples, firstMb: samples[0] ?? 0, lastMb: samples.at(-1) ?? 0, maxMb: Math.max(...samples), slopeMbPerHour: slope * 3600 };
}

export async function run(): Promise<BenchRow[]> {
  return [tierDecisionCost(), await monitorSampleCost(), await drainRate()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--rss') {
    const r = await sampleRss(Number(process.argv[3]), Number(process.argv[4] ?? 1800), Number(process.argv[5] ?? 5));
    console.log(JSON.stringify({ ...r, samplesMb: undefined, n: r.samplesMb.length }));
  } else {
    for (const row of await run()) console.log(JSON.stringify(row));
  }
}
