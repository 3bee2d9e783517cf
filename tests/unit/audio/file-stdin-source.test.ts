import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAudioSource } from '../../../src/audio/capture.js';
import type { AudioFrame, AudioSource } from '../../../src/audio/types.js';
import { encodeWav16 } from '../../../src/audio/wav-writer.js';
import { defaultConfig } from '../../../src/config/load.js';
import { AppError, WavFormatError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { simpleWav16 } from '../../helpers/audio-wav-builder.js';
import { captureLogger } from '../../helpers/audio-log-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-src-'));
const logger = silentLogger().root;

type AudioCfg = ReturnType<typeof defaultConfig>['audio'];
/** Defaults plus overrides, without the cross-key semantic checks (the source's own guards are under test). */
function audioCfg(over: Partial<AudioCfg> = {}): AudioCfg {
  return { ...defaultConfig().audio, ...over };
}

async function collect(src: AudioSource, max = Number.POSITIVE_INFINITY, signal = new AbortController().signal): Promise<AudioFrame[]> {
  const out: AudioFrame[] = [];
  for await (const f of src.frames(signal)) {
    out.push(f);
    if (out.length >= max) break;
  }
  return out;
}

function joined(frames: AudioFrame[]): Float32Array {
  const x = new Float32Array(frames.length * 512);
  frames.forEach((f, k) => {
    assert.equal(f.startSample, k * 512, 'contiguous sample clock');
    assert.equal(f.samples.length, 512);
    x.set(f.samples, k * 512);
  });
  return x;
}

test('file source: 16 kHz mono WAV yields its exact samples in 512-sample frames', async () => {
  const n = 5000;
  const s = Float32Array.from({ length: n }, (_, i) => Math.round(10000 * Math.sin(i / 5)) / 32768);
  const p = join(dir, 'mono16k.wav');
  writeFileSync(p, encodeWav16(s, 16000));
  const src = createAudioSource(audioCfg({ source: 'file' }), { logger, filePath: p });
  assert.equal(src.kind, 'file');
  const frames = await collect(src);
  assert.equal(frames.length, Math.ceil(n / 512));
  const x = joined(frames);
  for (let i = 0; i < n; i++) assert.equal(x[i], Math.fround(s[i]!) + 0);
  for (let i = n; i < x.length; i++) assert.equal(x[i], 0);
  assert.equal(src.stats().framesEmitted, frames.length);
});

test('file source: 48 kHz stereo is down-mixed and resampled', async () => {
  const n = 48000;
  const inter: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = 8000 * Math.sin((2 * Math.PI * 500 * i) / 48000);
    inter.push(v, v); // identical channels: the mix keeps the amplitude
  }
  const p = join(dir, 'st48k.wav');
  writeFileSync(p, simpleWav16(inter, 48000, 2));
  const x = joined(await collect(createAudioSource(audioCfg({ source: 'file', file: p }), { logger })));
  assert.equal(x.length, Math.ceil(16000 / 512) * 512);
  let peak = 0;
  for (let i = 1000; i < 15000; i++) peak = Math.max(peak, Math.abs(x[i]!));
  assert.ok(Math.abs(peak - 8000 / 32768) < 0.003, `peak ${peak}`);
});

test('file source: looping continues the sample clock and repeats the content', async () => {
  const p = join(dir, 'loop.wav');
  writeFileSync(p, encodeWav16(Float32Array.from({ length: 1024 }, (_, i) => (i % 512) / 1024), 16000));
  const ac = new AbortController();
  const src = createAudioSource(audioCfg({ source: 'file', file_loop: true }), { logger, filePath: p });
  const frames = await collect(src, 7, ac.signal);
  ac.abort();
  assert.equal(frames.length, 7);
  const x = joined(frames);
  assert.equal(x[6 * 512 + 5], Math.fround(5 / 1024));
});

test('file source: realtime pacing releases 0.5 s of audio no sooner than ~0.5 s', async () => {
  const p = join(dir, 'rt.wav');
  writeFileSync(p, encodeWav16(new Float32Array(8000), 16000));
  const t0 = performance.now();
  const frames = await collect(createAudioSource(audioCfg({ source: 'file', file_realtime: true }), { logger, filePath: p }));
  const ms = performance.now() - t0;
  assert.equal(frames.length, 16);
  assert.ok(ms >= 450, `released after ${ms} ms`);
});

test('file source: missing path, missing file and malformed file are typed errors', async () => {
  assert.throws(() => createAudioSource(audioCfg({ source: 'file' }), { logger }), (e: unknown) => e instanceof AppError && e.code === 'AUDIO_SOURCE');
  await assert.rejects(collect(createAudioSource(audioCfg({ source: 'file' }), { logger, filePath: join(dir, 'none.wav') })), (e: unknown) => e instanceof AppError && /none\.wav/.test(e.message));
  const bad = join(dir, 'bad.wav');
  writeFileSync(bad, Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt \x00\x00\x00\x00', 'latin1'));
  await assert.rejects(collect(createAudioSource(audioCfg({ source: 'file' }), { logger, filePath: bad })), (e: unknown) => e instanceof WavFormatError && e.message.includes(bad) && e.field === 'fmt.size');
});

test('file source: lenient reads are logged', async () => {
  const p = join(dir, 'lenient.wav');
  const b = simpleWav16([1, 2, 3, 4]);
  b.writeUInt32LE(0xffffffff, 40);
  writeFileSync(p, b);
  const { logger: log, records } = captureLogger();
  const frames = await collect(createAudioSource(audioCfg({ source: 'file' }), { logger: log, filePath: p }));
  assert.equal(frames.length, 1);
  assert.ok(records.some((r) => r.msg === 'audio.wav_lenient_read'));
});

test('stdin source: odd-sized chunks of s16le at 16 kHz give exact frames; EOF ends', async () => {
  const n = 2000;
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE((i * 37) % 30000 - 15000, i * 2);
  const stdin = new PassThrough();
  const src = createAudioSource(audioCfg({ source: 'stdin' }), { logger, stdin });
  const p = collect(src);
  for (let off = 0; off < pcm.length; off += 333) stdin.write(pcm.subarray(off, off + 333));
  stdin.end();
  const x = joined(await p);
  assert.equal(x.length, 4 * 512);
  for (let i = 0; i < n; i++) assert.equal(x[i], Math.fround(pcm.readInt16LE(i * 2) / 32768));
});

test('stdin source: 8 kHz input is resampled to 16 kHz (twice the samples)', async () => {
  const stdin = new PassThrough();
  const src = createAudioSource(audioCfg({ source: 'stdin', stdin_rate_hz: 8000 }), { logger, stdin });
  const p = collect(src);
  stdin.end(Buffer.alloc(8000 * 2));
  const frames = await p;
  assert.equal(frames.length, Math.ceil(16000 / 512));
});

test('stdin source: abort while waiting for input returns promptly', async () => {
  const stdin = new PassThrough();
  const ac = new AbortController();
  const src = createAudioSource(audioCfg({ source: 'stdin' }), { logger, stdin });
  const p = collect(src, Number.POSITIVE_INFINITY, ac.signal);
  stdin.write(Buffer.alloc(2048));
  setTimeout(() => ac.abort(), 20);
  const frames = await p;
  assert.equal(frames.length, 2);
});
