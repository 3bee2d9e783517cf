/**
 * src/audio/alsa-probe.ts — one-shot check that an ALSA capture device delivers audio
 * (for `parley doctor`): runs arecord with the capture settings, waits for 100 ms worth of
 * bytes, then stops it. Never throws; the result says what is wrong and what to do.
 */
import { spawn } from 'node:child_process';

export interface AlsaProbeOptions {
  rateHz?: number;
  channels?: number;
  /** Give up after this long without 100 ms of audio (default 3000). */
  timeoutMs?: number;
  /** Environment for arecord (default process.env; tests point HOME at a test .asoundrc). */
  env?: NodeJS.ProcessEnv;
}

export interface AlsaProbeResult {
  ok: boolean;
  device: string;
  /** Bytes received before stopping. */
  bytes: number;
  durationMs: number;
  /** One line: what happened, and for failures what to do. */
  message: string;
}

export function probeAlsaDevice(device: string, opts: AlsaProbeOptions = {}): Promise<AlsaProbeResult> {
  const rateHz = opts.rateHz ?? 16000;
  const channels = opts.channels ?? 1;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const want = Math.ceil(rateHz / 10) * channels * 2;
  const t0 = performance.now();
  return new Promise((resolve) => {
    let bytes = 0;
    let stderr = '';
    let settled = false;
    const cp = spawn('arecord', ['-D', device, '-q', '-f', 'S16_LE', '-r', String(rateHz), '-c', String(channels), '-t', 'raw'], {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const finish = (ok: boolean, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (cp.exitCode === null && cp.signalCode === null) cp.kill('SIGKILL');
      resolve({ ok, device, bytes, durationMs: Math.round(performance.now() - t0), message });
    };
    const timer = setTimeout(() => finish(false, `no audio from ${device} within ${timeoutMs} ms (device stalled or suspended)`), timeoutMs);
    cp.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes >= want) finish(true, `${device}: capturing ${rateHz} Hz x ${channels} ch`);
    });
    cp.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-1024);
    });
    cp.on('error', (e: NodeJS.ErrnoException) =>
      finish(false, e.code === 'ENOENT' ? 'arecord not found: install alsa-utils (apt-get install alsa-utils)' : `cannot run arecord: ${e.message}`),
    );
    cp.on('close', (code, signal) => {
      const why = stderr.trim().split('\n').at(-1) ?? '';
      finish(false, `arecord -D ${device} exited (code ${code}, signal ${signal})${why ? `: ${why}` : ''}; list devices with \`arecord -L\``);
    });
  });
}
