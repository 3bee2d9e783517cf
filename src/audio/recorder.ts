/**
 * src/audio/recorder.ts — the capture child process.
 *
 * Default: node-record-lpcm16 with `recorder: 'arecord'` and `audioType: 'raw'`, which runs
 * `arecord -D <device> -q -r <rate> -c <channels> -t raw -f S16_LE -`. The library exposes the
 * ChildProcess (`recording.process`), so we keep full control over signals; we attach our own
 * 'error' listeners because the library leaves spawn errors (ENOENT) and its string 'error'
 * event on non-zero exit unhandled (either would crash the process).
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

export interface RecorderOptions {
  device: string;
  rateHz: number;
  channels: number;
}

/** A running capture process emitting raw s16le interleaved PCM on stdout. */
export interface RecorderProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  kill(signal: NodeJS.Signals): void;
  /** Called once when the process has exited or failed to spawn (`error` set). */
  onExit(cb: (code: number | null, signal: NodeJS.Signals | null, error?: NodeJS.ErrnoException) => void): void;
  /** Last stderr output (≤ 2 KB), for error messages. */
  stderrTail(): string;
}

export type RecorderSpawner = (opts: RecorderOptions) => RecorderProcess;

interface LpcmRecording {
  process: ChildProcess;
  stream(): Readable;
}
interface LpcmModule {
  record(opts: Record<string, unknown>): LpcmRecording;
}

const require = createRequire(import.meta.url);

/** Start arecord through node-record-lpcm16. */
export const spawnArecord: RecorderSpawner = (opts) => {
  const lpcm = require('node-record-lpcm16') as LpcmModule;
  const rec = lpcm.record({
    recorder: 'arecord',
    device: opts.device,
    sampleRate: opts.rateHz,
    channels: opts.channels,
    audioType: 'raw',
  });
  return wrapChild(rec.process, rec.stream());
};

/** Wrap a ChildProcess whose stdout carries raw PCM (also used by tests' fake recorders). */
export function wrapChild(cp: ChildProcess, stdout: Readable = cp.stdout as Readable): RecorderProcess {
  let tail = '';
  let done = false;
  let result: [number | null, NodeJS.Signals | null, NodeJS.ErrnoException | undefined] = [null, null, undefined];
  const waiters: ((code: number | null, signal: NodeJS.Signals | null, error?: NodeJS.ErrnoException) => void)[] = [];
  const finish = (code: number | null, signal: NodeJS.Signals | null, error?: NodeJS.ErrnoException): void => {
    if (done) return;
    done = true;
    result = [code, signal, error];
    for (const w of waiters) w(code, signal, error);
  };
  stdout.on('error', () => undefined); // node-record-lpcm16 emits a string here on non-zero exit
  cp.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString('utf8')).slice(-2048);
  });
  cp.on('error', (e: NodeJS.ErrnoException) => finish(null, null, e));
  cp.on('close', (code, signal) => finish(code, signal));
  return {
    get pid() {
      return cp.pid;
    },
    stdout,
    kill(signal) {
      if (cp.exitCode === null && cp.signalCode === null) cp.kill(signal);
    },
    onExit(cb) {
      if (done) cb(...result);
      else waiters.push(cb);
    },
    stderrTail: () => tail.trim(),
  };
}
