/**
 * T18: the capture process dies or misbehaves. A real child process (tests/helpers/
 * audio-fake-recorder.ts) stands in for arecord; the AlsaSource supervision is real.
 */
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import assert from 'node:assert/strict';
import { AlsaSource } from '../../src/audio/alsa-source.js';
import { framesForMs } from '../../src/audio/frame-queue.js';
import type { AudioFrame, AudioGap } from '../../src/audio/types.js';
import { defaultConfig } from '../../src/config/load.js';
import { AudioSourceError } from '../../src/util/errors.js';
import { captureLogger } from '../helpers/audio-log-capture.js';
import { fakeRecorder, isAlive, type FakeMode } from '../helpers/audio-fake-recorder.js';

type AudioCfg = ReturnType<typeof defaultConfig>['audio'];
function cfg(over: Partial<AudioCfg> = {}): AudioCfg {
  return { ...defaultConfig().audio, restart_backoff_initial_ms: 50, restart_backoff_max_ms: 400, stall_timeout_ms: 3000, ...over };
}

interface Run {
  frames: AudioFrame[];
  gaps: AudioGap[];
  src: AlsaSource;
  records: ReturnType<typeof captureLogger>['records'];
}

/** Run a source until `until` says stop (or timeoutMs), consuming every frame. */
async function run(mode: FakeMode | FakeMode[], c: AudioCfg, until: (r: Run) => boolean, timeoutMs = 8000, afterMs = 300): Promise<Run & { spawner: ReturnType<typeof fakeRecorder> }> {
  const { logger, records } = captureLogger();
  const spawner = fakeRecorder(mode, afterMs);
  const src = new AlsaSource(c, { logger, spawnRecorder: spawner, random: () => 1 });
  const r: Run = { frames: [], gaps: [], src, records };
  src.onGap = (g) => r.gaps.push(g);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  for await (const f of src.frames(ac.signal)) {
    r.frames.push(f);
    if (until(r)) break;
  }
  clearTimeout(timer);
  return { ...r, spawner };
}

function assertMonotonic(frames: AudioFrame[]): void {
  for (let k = 1; k < frames.length; k++) assert.ok(frames[k]!.startSample >= frames[k - 1]!.startSample + 512, `frame ${k} overlaps`);
}

test('T18 bytewise delivery (1 byte per write) yields a continuous 440 Hz sine', async () => {
  const r = await run('bytewise', cfg(), (x) => x.frames.length >= 20);
  assert.equal(r.frames.length, 20);
  r.frames.forEach((f, k) => assert.equal(f.startSample, k * 512));
  for (let k = 0; k < 20; k++) {
    for (let j = 0; j < 512; j += 61) {
      const i = k * 512 + j;
      const want = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)) / 32768;
      assert.ok(Math.abs(r.frames[k]!.samples[j]! - want) < 1e-6, `sample ${i}`);
    }
  }
  assert.equal(r.src.stats().restarts, 0);
  for (const pid of r.spawner.pids) assert.equal(isAlive(pid), false, 'recorder reaped after stop');
});

test('T18 recorder dies repeatedly: restarts with growing backoff, gaps reported, clock advances by the gap', async () => {
  const r = await run('die', cfg(), (x) => x.src.stats().restarts >= 3 && x.gaps.length >= 3 && x.frames.length > 40);
  const st = r.src.stats();
  assert.ok(st.restarts >= 3, `restarts ${st.restarts}`);
  assert.ok(st.gaps >= 3);
  const restarts = r.records.filter((x) => x.msg === 'audio.capture_restart');
  assert.deepEqual(restarts.slice(0, 3).map((x) => x.delayMs), [50, 100, 200], 'exponential backoff (jitter pinned to 1)');
  assert.match(String(restarts[0]!.reason), /exited \(code 3/);
  const gapLogs = r.records.filter((x) => x.msg === 'audio.gap');
  assert.ok(gapLogs.length >= 3 && gapLogs.every((g) => typeof g.durationMs === 'number'));
  assertMonotonic(r.frames);
  // Each gap (>= the 50 ms backoff) shows up as a jump of the sample clock of the same size.
  for (const g of r.gaps) {
    assert.equal(g.reason, 'capture-restart');
    assert.ok(g.durationMs >= 40, `gap ${g.durationMs} ms`);
    const after = r.frames.find((f) => f.startSample >= g.startSample);
    if (!after) continue;
    const before = r.frames.filter((f) => f.startSample < g.startSample).at(-1);
    if (!before) continue;
    const jump = after.startSample - (before.startSample + 512);
    assert.ok(Math.abs(jump - (g.durationMs * 16000) / 1000) <= 512, `clock jump ${jump} vs gap ${g.durationMs} ms`);
  }
});

test('T18 recorder stalls (alive, silent): stall detected, killed and restarted', async () => {
  const r = await run('stall', cfg({ stall_timeout_ms: 300 }), (x) => x.src.stats().restarts >= 2 && x.gaps.length >= 1, 15000, 250);
  assert.ok(r.records.some((x) => x.msg === 'audio.stall'), 'audio.stall logged');
  assert.ok(r.src.stats().restarts >= 2);
  await new Promise((res) => setTimeout(res, 100));
  for (const pid of r.spawner.pids) assert.equal(isAlive(pid), false, `stalled recorder ${pid} killed`);
});

test('T18 device open failure: stderr is logged and restarts keep backing off', async () => {
  const r = await run(['garbage-stderr', 'garbage-stderr', 'tone'], cfg(), (x) => x.frames.length >= 5);
  const restarts = r.records.filter((x) => x.msg === 'audio.capture_restart');
  assert.equal(restarts.length, 2);
  assert.match(String(restarts[0]!.stderr), /audio open error/);
  assert.equal(r.gaps.length, 0, 'no gap before the first audio');
  assert.equal(r.frames[0]!.startSample, 0);
});

test('T18 silence and clipping pass through unchanged (no restart, values in [-1, 1])', async () => {
  for (const mode of ['silence', 'clip'] as const) {
    const r = await run(mode, cfg(), (x) => x.frames.length >= 10);
    assert.equal(r.src.stats().restarts, 0);
    const vals = r.frames.flatMap((f) => Array.from(f.samples));
    if (mode === 'silence') assert.ok(vals.every((v) => v === 0));
    else assert.ok(vals.some((v) => v === -1) && vals.some((v) => v > 0.999) && vals.every((v) => v >= -1 && v <= 1));
  }
});

test('T18 48 kHz stereo capture is down-mixed and resampled to 16 kHz', async () => {
  const r = await run('tone', cfg({ capture_rate_hz: 48000, capture_channels: 2 }), (x) => x.frames.length >= 30);
  const x = r.frames.flatMap((f) => Array.from(f.samples)).slice(1000);
  const peak = Math.max(...x.map(Math.abs));
  assert.ok(Math.abs(peak - 8000 / 32768) < 0.01, `peak ${peak}`);
});

test('T18 slow consumer: the queue stays bounded, oldest frames dropped and counted', async () => {
  const { logger, records } = captureLogger();
  const spawner = fakeRecorder('tone');
  const src = new AlsaSource(cfg({ max_buffered_ms: 1000 }), { logger, spawnRecorder: spawner });
  const gaps: AudioGap[] = [];
  src.onGap = (g) => gaps.push(g);
  const ac = new AbortController();
  const frames: AudioFrame[] = [];
  for await (const f of src.frames(ac.signal)) {
    frames.push(f);
    if (frames.length === 1) await new Promise((res) => setTimeout(res, 2500)); // consumer stuck for 2.5 s
    if (frames.length === 1 + framesForMs(1000) + 3) break;
  }
  const st = src.stats();
  assert.ok(st.framesDropped > 10, `dropped ${st.framesDropped}`);
  const overflowMs = gaps.filter((g) => g.reason === 'buffer-overflow').reduce((s, g) => s + g.durationMs, 0);
  assert.ok(overflowMs > 0 && overflowMs <= st.framesDropped * 32, `overflow gaps ${overflowMs} ms for ${st.framesDropped} dropped frames`);
  assert.ok(records.some((x) => x.msg === 'audio.frames_dropped'));
  assertMonotonic(frames);
  // After the stall the consumer receives at most max_buffered_ms worth of old frames, then new ones.
  assert.ok(frames[1]!.startSample > 512, 'oldest frames were the ones dropped');
});

test('T18 wrong sample rate: a device delivering half the configured rate is reported', async () => {
  for (const [mode, expectWarn] of [['halfrate', true], ['tone', false]] as const) {
    const { logger, records } = captureLogger();
    const src = new AlsaSource(cfg(), { logger, spawnRecorder: fakeRecorder(mode), rateCheckAfterMs: 2500 });
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 8000);
    for await (const f of src.frames(ac.signal)) if (f.startSample >= 16000 * (mode === 'halfrate' ? 1.5 : 3)) break;
    clearTimeout(timer);
    const warn = records.find((x) => x.msg === 'audio.rate_mismatch');
    assert.equal(!!warn, expectWarn, `${mode}: ${JSON.stringify(warn)}`);
    if (warn) assert.ok(Math.abs((warn.measuredHz as number) - 8000) < 1600, `measured ${warn.measuredHz}`);
  }
});

test('T18 abort kills the recorder (no orphan) and ends the iteration', async () => {
  const spawner = fakeRecorder('tone');
  const src = new AlsaSource(cfg(), { logger: captureLogger().logger, spawnRecorder: spawner });
  const ac = new AbortController();
  let n = 0;
  for await (const _ of src.frames(ac.signal)) {
    if (++n === 3) ac.abort();
  }
  assert.equal(spawner.pids.length, 1);
  assert.equal(isAlive(spawner.pids[0]!), false);
});

test('T18 missing arecord binary is a fatal, non-retryable AudioSourceError', async () => {
  const src = new AlsaSource(cfg(), {
    logger: captureLogger().logger,
    spawnRecorder: () => {
      const e = Object.assign(new Error('spawn arecord ENOENT'), { code: 'ENOENT' });
      // Shape of a failed spawn: exits immediately with an ENOENT error.
      return { pid: undefined, stdout: new PassThrough(), kill: () => undefined, onExit: (cb: (c: null, s: null, err: NodeJS.ErrnoException) => void) => setImmediate(() => cb(null, null, e)), stderrTail: () => '' };
    },
  });
  await assert.rejects(async () => {
    for await (const _ of src.frames(new AbortController().signal)) void _;
  }, (e: unknown) => e instanceof AudioSourceError && !e.retryable && /alsa-utils/.test(e.oneLine()));
});
