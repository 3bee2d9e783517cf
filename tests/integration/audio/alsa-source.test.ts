/**
 * Real arecord through ALSA's file plugin (tests/helpers/alsa-file-device.ts): the alsa
 * source reads the fed samples exactly, restarts a killed arecord and reports the gap,
 * and detects a stall.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createAudioSource } from '../../../src/audio/capture.js';
import type { AlsaSource } from '../../../src/audio/alsa-source.js';
import type { AudioFrame, AudioGap } from '../../../src/audio/types.js';
import { defaultConfig } from '../../../src/config/load.js';
import { createAlsaFileDevice, type AlsaFileDevice } from '../../helpers/alsa-file-device.js';
import { captureLogger } from '../../helpers/audio-log-capture.js';
import { isAlive } from '../../helpers/audio-fake-recorder.js';

const savedHome = process.env.HOME;

before(() => {
  const r = spawnSync('arecord', ['--version']);
  assert.equal(r.status, 0, 'arecord not found: install alsa-utils (apt-get install alsa-utils)');
});
after(() => {
  process.env.HOME = savedHome;
});

/** Deterministic pseudo-random s16 samples (every value distinct enough to catch misalignment). */
function signal(n: number, channels = 1, seed = 7): { bytes: Buffer; values: Int16Array } {
  const values = new Int16Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    values[i] = (s % 20000) - 10000;
  }
  const bytes = Buffer.alloc(n * 2 * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) bytes.writeInt16LE(values[i]!, (i * channels + c) * 2);
  return { bytes, values };
}

type AudioCfg = ReturnType<typeof defaultConfig>['audio'];
function cfg(dev: AlsaFileDevice, over: Partial<AudioCfg> = {}): AudioCfg {
  return { ...defaultConfig().audio, source: 'alsa', device: dev.device, restart_backoff_initial_ms: 50, restart_backoff_max_ms: 400, stall_timeout_ms: 400, ...over };
}

test('helper: arecord -D <file-plugin PCM> returns the raw file sample-exactly', () => {
  const { bytes } = signal(8000);
  const dev = createAlsaFileDevice({ mode: 'file', bytes });
  try {
    const r = spawnSync('arecord', ['-D', dev.device, '-f', 'S16_LE', '-r', '16000', '-c', '1', '-t', 'raw', '-d', '1', '-q'], { env: dev.env, timeout: 10_000 });
    assert.equal(r.status, 0, `arecord failed: ${r.stderr?.toString()}`);
    assert.equal(r.stdout.length, 32000);
    assert.ok(r.stdout.subarray(0, bytes.length).equals(bytes), 'first bytes equal the infile');
  } finally {
    dev.cleanup();
  }
});

interface Live {
  dev: AlsaFileDevice;
  src: AlsaSource;
  frames: AudioFrame[];
  gaps: AudioGap[];
  records: ReturnType<typeof captureLogger>['records'];
  ac: AbortController;
  done: Promise<void>;
}

function startLive(over: (dev: AlsaFileDevice) => Partial<AudioCfg> = () => ({}), stopWhen: (l: Live) => boolean = () => false, timeoutMs = 15_000): Live {
  const dev = createAlsaFileDevice({ mode: 'fifo' });
  process.env.HOME = dev.home; // node-record-lpcm16 spawns arecord with process.env
  const { logger, records } = captureLogger();
  const src = createAudioSource(cfg(dev, over(dev)), { logger }) as AlsaSource;
  const ac = new AbortController();
  const l: Live = { dev, src, frames: [], gaps: [], records, ac, done: Promise.resolve() };
  src.onGap = (g) => l.gaps.push(g);
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  l.done = (async () => {
    for await (const f of src.frames(ac.signal)) {
      l.frames.push(f);
      if (stopWhen(l)) break;
    }
    clearTimeout(timer);
  })();
  return l;
}

function startedPids(l: Live): number[] {
  return l.records.filter((r) => r.msg === 'audio.capture_started').map((r) => r.pid as number);
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('alsa source + real arecord: yields the fed samples exactly (16 kHz mono)', async () => {
  const n = 16000 * 2;
  const { bytes, values } = signal(n);
  const l = startLive(undefined, (x) => x.frames.length * 512 >= n - 512);
  try {
    await l.dev.feed(bytes, { speed: 4 });
    await l.done;
    const st = l.src.stats();
    assert.equal(st.restarts, 0);
    const got = l.frames.flatMap((f) => Array.from(f.samples));
    l.frames.forEach((f, k) => assert.equal(f.startSample, k * 512));
    for (let i = 0; i < got.length; i++) assert.equal(got[i], values[i]! / 32768, `sample ${i}`);
    const pids = startedPids(l);
    assert.equal(pids.length, 1);
    assert.equal(isAlive(pids[0]!), false, 'arecord stopped with the source');
  } finally {
    l.ac.abort();
    await l.done;
    l.dev.cleanup();
  }
});

test('alsa source + real arecord: SIGKILLed arecord is restarted and the gap reported', async () => {
  const { bytes } = signal(16000 * 4);
  const l = startLive(undefined, (x) => x.src.stats().restarts >= 1 && x.gaps.length >= 1 && x.frames.length > 60);
  const feeding = l.dev.feed(bytes, { signal: l.ac.signal });
  try {
    await waitFor(() => l.frames.length >= 20, 5000, 'first frames');
    const pid = l.src.recorderPid;
    assert.ok(pid && isAlive(pid), 'arecord running');
    process.kill(pid, 'SIGKILL');
    await l.done;
    l.ac.abort();
    await feeding;
    const restart = l.records.find((r) => r.msg === 'audio.capture_restart');
    assert.match(String(restart?.reason), /signal SIGKILL/);
    const gapLog = l.records.find((r) => r.msg === 'audio.gap');
    assert.equal(typeof gapLog?.durationMs, 'number');
    assert.equal(l.gaps[0]!.reason, 'capture-restart');
    const pids = startedPids(l);
    assert.equal(pids.length, 2);
    assert.notEqual(pids[0], pids[1]);
    for (let k = 1; k < l.frames.length; k++) assert.ok(l.frames[k]!.startSample >= l.frames[k - 1]!.startSample + 512);
    const last = l.frames.at(-1)!;
    assert.ok(last.startSample >= l.gaps[0]!.startSample, 'frames continue after the gap');
    await waitFor(() => pids.every((p) => !isAlive(p)), 3000, 'no orphan arecord');
  } finally {
    l.ac.abort();
    await l.done;
    l.dev.cleanup();
  }
});

test('alsa source + real arecord: a stall (no bytes) is detected, arecord restarted, gap measured', async () => {
  const { bytes } = signal(16000);
  const l = startLive(() => ({ stall_timeout_ms: 300 }), (x) => x.gaps.length >= 1 && x.frames.length >= 30);
  try {
    await l.dev.feed(bytes.subarray(0, 16000)); // 0.5 s, then nothing on the pipe
    await waitFor(() => l.records.some((r) => r.msg === 'audio.stall'), 5000, 'audio.stall');
    await new Promise((r) => setTimeout(r, 700));
    await l.dev.feed(bytes.subarray(16000));
    await l.done;
    assert.ok(l.src.stats().restarts >= 1);
    const gap = l.gaps[0]!;
    assert.ok(gap.durationMs > 500 && gap.durationMs < 5000, `gap ${gap.durationMs} ms`);
    // The clock jumped by the gap: frames after it start later than the samples received.
    const received = l.frames.length * 512;
    assert.ok(l.frames.at(-1)!.startSample + 512 > received + 0.4 * 16000, 'sample clock includes the stalled time');
    assert.ok(startedPids(l).length >= 2);
  } finally {
    l.ac.abort();
    await l.done;
    l.dev.cleanup();
  }
});

test('alsa source + real arecord: 48 kHz stereo capture is down-mixed and resampled', async () => {
  const n = 48000;
  const bytes = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    bytes.writeInt16LE(v, i * 4);
    bytes.writeInt16LE(v, i * 4 + 2);
  }
  const l = startLive(() => ({ capture_rate_hz: 48000, capture_channels: 2 }), (x) => x.frames.length >= 28);
  try {
    await l.dev.feed(bytes, { rateHz: 48000, channels: 2, speed: 4 });
    await l.done;
    const x = l.frames.flatMap((f) => Array.from(f.samples)).slice(500, 14000);
    let re = 0;
    let im = 0;
    x.forEach((v, i) => {
      re += v * Math.cos((2 * Math.PI * 1000 * (i + 500)) / 16000);
      im += v * Math.sin((2 * Math.PI * 1000 * (i + 500)) / 16000);
    });
    const amp = (2 * Math.hypot(re, im)) / x.length;
    assert.ok(Math.abs(amp - 8000 / 32768) < 0.005, `1 kHz amplitude ${amp}`);
  } finally {
    l.ac.abort();
    await l.done;
    l.dev.cleanup();
  }
});

test('alsa source through node-record-lpcm16 with no arecord on PATH: typed fatal error, no crash', async () => {
  const savedPath = process.env.PATH;
  process.env.PATH = '/nonexistent-parley-test-dir';
  try {
    const { logger, records } = captureLogger();
    const src = createAudioSource({ ...defaultConfig().audio, source: 'alsa' }, { logger });
    await assert.rejects(async () => {
      for await (const _ of src.frames(new AbortController().signal)) void _;
    }, (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'AUDIO_SOURCE' && /alsa-utils/.test((e as { hint?: string }).hint ?? ''));
    assert.ok(records.some((r) => r.msg === 'audio.capture_failed'));
    assert.equal(src.stats().restarts, 0);
  } finally {
    process.env.PATH = savedPath;
  }
});
