/**
 * tests/helpers/audio-fake-recorder.ts — a real child process standing in for arecord
 * (RELIABILITY.md T18): it writes s16le interleaved PCM (a 440 Hz sine, continuous across
 * writes) to stdout at real-time rate, and misbehaves on request.
 *
 * Modes: `tone` (normal), `bytewise` (one byte per write), `silence`, `clip` (full-scale
 * square), `die` (exit 3 after `afterMs`), `stall` (stop writing after `afterMs` but stay alive),
 * `garbage-stderr` (exit 1 at once with an ALSA-like error on stderr), `halfrate` (delivers
 * samples at half the requested rate: a device ignoring the configured rate).
 */
import { spawn } from 'node:child_process';
import { wrapChild, type RecorderSpawner } from '../../src/audio/recorder.js';

export type FakeMode = 'tone' | 'bytewise' | 'silence' | 'clip' | 'die' | 'stall' | 'garbage-stderr' | 'halfrate';

const SCRIPT = String.raw`
const [mode, rate, ch, afterMs] = process.argv.slice(1);
const R = Number(rate), C = Number(ch), A = Number(afterMs);
process.stdout.on('error', () => process.exit(0));
if (mode === 'garbage-stderr') { process.stderr.write('arecord: main:831: audio open error: No such file or directory\n'); process.exit(1); }
let i = 0, sent = 0; const t0 = Date.now();
function block(n) {
  const b = Buffer.alloc(n * 2 * C);
  for (let f = 0; f < n; f++, i++) {
    const v = mode === 'silence' ? 0 : mode === 'clip' ? (i % 20 < 10 ? 32767 : -32768) : Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / R));
    for (let c = 0; c < C; c++) b.writeInt16LE(v, (f * C + c) * 2);
  }
  return b;
}
setInterval(() => {
  const el = Date.now() - t0;
  if (mode === 'die' && el > A) process.exit(3);
  if (mode === 'stall' && el > A) return;
  const due = Math.floor(el * (mode === 'halfrate' ? R / 2 : R) / 1000) - sent;
  if (due <= 0) return;
  sent += due;
  const b = block(due);
  if (mode === 'bytewise') { for (let k = 0; k < b.length; k++) process.stdout.write(b.subarray(k, k + 1)); }
  else process.stdout.write(b);
}, 20);
`;

export interface FakeRecorderLog {
  pids: number[];
}

/** A RecorderSpawner running the fake in `mode`; `modes` cycles per spawn when an array is given. */
export function fakeRecorder(mode: FakeMode | FakeMode[], afterMs = 300): RecorderSpawner & FakeRecorderLog {
  const pids: number[] = [];
  let n = 0;
  const fn = ((o: { rateHz: number; channels: number }) => {
    const m = Array.isArray(mode) ? mode[Math.min(n, mode.length - 1)]! : mode;
    n++;
    const cp = spawn(process.execPath, ['-e', SCRIPT, m, String(o.rateHz), String(o.channels), String(afterMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (cp.pid !== undefined) pids.push(cp.pid);
    return wrapChild(cp);
  }) as unknown as RecorderSpawner & FakeRecorderLog;
  fn.pids = pids;
  return fn;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
