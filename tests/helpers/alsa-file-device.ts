/**
 * tests/helpers/alsa-file-device.ts — a real ALSA capture PCM without a sound card.
 *
 * Creates a temporary HOME whose `.asoundrc` defines
 *
 *     pcm.<name> {
 *       type file            # ALSA's file plugin
 *       slave.pcm "null"     # the null PCM supplies the timing-free "hardware"
 *       file "/dev/null"     # where the plugin would copy captured data (unused)
 *       infile "<path>"      # capture reads its samples from here
 *       format "raw"
 *     }
 *
 * so `HOME=<home> arecord -D <name> -f S16_LE -r 16000 -c 1 -t raw` really runs arecord and
 * alsa-lib, and returns the bytes of `infile`. Verified on alsa-lib 1.2.8 (Debian 12).
 *
 * Behaviour you must know:
 * - The null slave does not pace: arecord reads as fast as the infile delivers.
 * - Each open of the PCM (every arecord start) opens `infile` again from its beginning.
 * - At EOF of a regular infile, arecord does NOT stop: it keeps returning the last period
 *   again and again at full CPU speed. So with `mode: 'file'` read only the first
 *   `bytes.length` bytes (or use `arecord -d`).
 * - `mode: 'fifo'` (recommended for live-source tests) makes `infile` a named pipe that this
 *   helper holds open read-write: arecord blocks until you `write()`/`feed()` bytes (real-time
 *   pacing is under the test's control), never sees EOF (no flood), a stop in feeding is a
 *   genuine stall, and a killed arecord can be restarted (the new one reads what is written
 *   next; bytes already in the pipe are kept, so "lost" audio during a restart is not lost here).
 *
 * Usage:
 *     const dev = createAlsaFileDevice({ mode: 'fifo' });
 *     process.env.HOME = dev.home;            // or spawn with env: dev.env
 *     ... arecord -D dev.device ...;  await dev.feed(s16leBytes, { rateHz: 16000, channels: 1 });
 *     dev.cleanup();
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AlsaFileDeviceOptions {
  /** 'file': infile is a regular file holding `bytes`. 'fifo': a named pipe fed by the test. */
  mode?: 'file' | 'fifo';
  /** Raw s16le interleaved bytes for mode 'file'. */
  bytes?: Uint8Array;
  /** PCM name (default `parleyfile`). */
  name?: string;
}

export interface FeedOptions {
  /** Rate and channels arecord was started with (they set its period). Default 16000 / 1. */
  rateHz?: number;
  channels?: number;
  /** Playback speed relative to real time (default 1; Infinity writes without pauses). */
  speed?: number;
  signal?: AbortSignal;
}

/** arecord's read size on this PCM: one period = 125 ms (rate / 8 frames, verified with `arecord -v`). */
export function periodBytes(rateHz: number, channels: number): number {
  return Math.floor(rateHz / 8) * channels * 2;
}

export interface AlsaFileDevice {
  home: string;
  device: string;
  /** process.env with HOME pointing at the temporary home. */
  env: NodeJS.ProcessEnv;
  infile: string;
  /** Write bytes into the FIFO (mode 'fifo'); waits while the pipe is full (bounded). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Write bytes one arecord period at a time (the tail is zero-padded to a whole period),
   * paced at `speed` x real time. Whole-period writes matter: the file plugin fills each
   * period with whatever one read() of the infile returns and leaves the rest of the period
   * as it was, so a short read would insert stale samples.
   */
  feed(bytes: Uint8Array, opts?: FeedOptions): Promise<void>;
  cleanup(): void;
}

const PIPE_FULL_WAIT_MS = 10_000;

export function createAlsaFileDevice(opts: AlsaFileDeviceOptions = {}): AlsaFileDevice {
  const mode = opts.mode ?? 'file';
  const name = opts.name ?? 'parleyfile';
  const home = mkdtempSync(join(tmpdir(), 'parley-alsa-'));
  const infile = join(home, mode === 'fifo' ? 'capture.fifo' : 'capture.raw');
  let fd: number | undefined;
  if (mode === 'fifo') {
    const r = spawnSync('mkfifo', [infile]);
    if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr?.toString() ?? r.error?.message}`);
    // O_RDWR: never blocks on open, and arecord never sees EOF while we hold it.
    fd = openSync(infile, constants.O_RDWR | constants.O_NONBLOCK);
  } else {
    writeFileSync(infile, opts.bytes ?? new Uint8Array(0));
  }
  const conf = [
    `pcm.${name} {`,
    '  type file',
    '  slave.pcm "null"',
    '  file "/dev/null"',
    `  infile "${infile}"`,
    '  format "raw"',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(home, '.asoundrc'), conf);

  const write = async (bytes: Uint8Array): Promise<void> => {
    if (fd === undefined) throw new Error('write() needs mode fifo');
    let off = 0;
    const deadline = Date.now() + PIPE_FULL_WAIT_MS;
    while (off < bytes.length) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() > deadline) throw new Error('ALSA file device FIFO stayed full for 10 s (is arecord reading?)');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };

  return {
    home,
    device: name,
    env: { ...process.env, HOME: home },
    infile,
    write,
    async feed(bytes, f = {}) {
      const rateHz = f.rateHz ?? 16000;
      const channels = f.channels ?? 1;
      const period = periodBytes(rateHz, channels);
      const bytesPerMs = (rateHz * channels * 2 * (f.speed ?? 1)) / 1000;
      const t0 = performance.now();
      for (let off = 0; off < bytes.length; off += period) {
        if (f.signal?.aborted) return;
        const due = t0 + off / bytesPerMs - performance.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
        let chunk = bytes.subarray(off, off + period);
        if (chunk.length < period) {
          const padded = new Uint8Array(period);
          padded.set(chunk);
          chunk = padded;
        }
        await write(chunk);
      }
    },
    cleanup() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      rmSync(home, { recursive: true, force: true });
    },
  };
}
