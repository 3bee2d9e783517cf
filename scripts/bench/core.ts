// Core figures from issue 2: transcribe RTF and peak RSS on the real sample, and the idle
// cost of `parley run` (CPU % of one core, RSS) while it listens to silence.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/audio/wav-writer.js';
import type { BenchRow } from '../bench.js';
import { evalDir } from '../../tests/helpers/diarization-eval.js';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');
const CLK_TCK = 100;

/** Sum of utime+stime (ticks) and RSS (kB) over a process and its children. */
function treeUsage(rootPid: number): { ticks: number; rssKb: number; pids: number[] } {
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (kids) pids.push(...kids.split(/\s+/).map(Number));
    } catch { /* exited */ }
  }
  let ticks = 0;
  let rssKb = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* exited */ }
  }
  return { ticks, rssKb, pids };
}

function peakRssKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function transcribeRun(args: string[]): Promise<{ wallS: number; peakKb: number; summary: Record<string, unknown> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'transcribe', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let peakKb = 0;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const poll = setInterval(() => {
    const u = treeUsage(child.pid!);
    peakKb = Math.max(peakKb, u.rssKb, peakRssKb(child.pid!));
  }, 50);
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  clearInterval(poll);
  if (code !== 0) throw new Error(`transcribe failed (${code}): ${err.trim().split('\n').pop()}`);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { wallS: (performance.now() - t0) / 1000, peakKb, summary: lines[lines.length - 1] };
}

async function idleService(): Promise<{ cpuPct: number; rssSupervisorMb: number; rssTreeMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-idle-'));
  try {
    const silence = join(dir, 'silence.wav');
    writeFileSync(silence, encodeWav16(new Float32Array(16000 * 10), 16000));
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, [
      'audio:', '  source: file', `  file: ${silence}`, '  file_realtime: true', '  file_loop: true',
      'storage:', `  db_path: ${join(dir, 'p.db')}`, `  audio_dir: ${join(dir, 'audio')}`, 'log:', '  level: warn',
    ].join('\n'));
    const child = spawn(process.execPath, [CLI, 'run', '--config', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
    await new Promise((r) => setTimeout(r, 8000)); // start-up and model load
    const a = treeUsage(child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 20000));
    const b = treeUsage(child.pid!);
    const seconds = (performance.now() - t0) / 1000;
    const supRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    return { cpuPct: ((b.ticks - a.ticks) / CLK_TCK / seconds) * 100, rssSupervisorMb: supRss / 1024, rssTreeMb: b.rssKb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const sample = join(evalDir(), 'pyannote-sample', 'sample.wav');
  const rows: BenchRow[] = [];
  const noAsr = await transcribeRun([sample, '--no-asr', '--no-diarize']);
  rows.push({ area: 'core', metric: 'transcribe RTF, VAD only (sample.wav, 30 s)', value: Number(noAsr.summary.rtf), unit: 'x', note: 'incl. process start + model load' });
  rows.push({ area: 'core', metric: 'transcribe peak RSS, VAD only (process tree)', value: Math.round(noAsr.peakKb / 1024), unit: 'MB' });
  const full = await transcribeRun([sample]);
  rows.push({ area: 'core', metric: 'transcribe RTF, default engines (sample.wav)', value: Number(full.summary.rtf), unit: 'x', note: JSON.stringify(Object.keys((full.summary.engines ?? {}) as object)) });
  rows.push({ area: 'core', metric: 'transcribe peak RSS, default engines (tree)', value: Math.round(full.peakKb / 1024), unit: 'MB' });
  const idle = await idleService();
  rows.push({ area: 'core', metric: 'parley run idle CPU (silence, process tree)', value: idle.cpuPct, unit: '% of 1 core', target: '< 2' });
  rows.push({ area: 'core', metric: 'parley run idle RSS, supervisor', value: Math.round(idle.rssSupervisorMb), unit: 'MB', target: '<= 120' });
  rows.push({ area: 'core', metric: 'parley run idle RSS, supervisor + inference children', value: Math.round(idle.rssTreeMb), unit: 'MB' });
  return rows;
}
