import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { AppError, WavFormatError } from '../../../src/util/errors.js';
import { chunk, fmtBody, pcm16Body, riff, simpleWav16 } from '../../helpers/audio-wav-builder.js';

function close(a: number, b: number, tol: number, what = ''): void {
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
}

test('16-bit mono PCM decodes to [-1, 1)', () => {
  const w = decodeWav(simpleWav16([0, 16384, -32768, 32767]));
  assert.equal(w.sampleRateHz, 16000);
  assert.equal(w.channels, 1);
  assert.equal(w.format, 'pcm');
  assert.equal(w.frameCount, 4);
  assert.deepEqual(Array.from(w.channelData[0]!), [0, 0.5, -1, 32767 / 32768]);
  assert.deepEqual(w.notes, []);
});

test('stereo 16-bit is de-interleaved and down-mixed by toMono16k', () => {
  const w = decodeWav(simpleWav16([1000, -1000, 2000, 0], 16000, 2));
  assert.equal(w.channels, 2);
  assert.deepEqual(Array.from(w.channelData[0]!), [1000 / 32768, 2000 / 32768]);
  assert.deepEqual(Array.from(w.channelData[1]!), [-1000 / 32768, 0]);
  const mono = toMono16k(w);
  assert.deepEqual(Array.from(mono), [0, 1000 / 32768].map((v) => Math.fround(v)));
});

test('8-bit unsigned, 24-bit and 32-bit PCM', () => {
  const u8 = decodeWav(riff([chunk('fmt ', fmtBody({ bits: 8 })), chunk('data', Buffer.from([128, 255, 0]))]));
  assert.deepEqual(Array.from(u8.channelData[0]!), [0, 127 / 128, -1]);
  const b24 = Buffer.from([0, 0, 0x40, 0xff, 0xff, 0xff, 0, 0, 0x80]);
  const w24 = decodeWav(riff([chunk('fmt ', fmtBody({ bits: 24 })), chunk('data', b24)]));
  assert.deepEqual(Array.from(w24.channelData[0]!), [0.5, -1 / 8388608, -1].map((v) => Math.fround(v)));
  const b32 = Buffer.alloc(8);
  b32.writeInt32LE(-1073741824, 0);
  b32.writeInt32LE(2147483647, 4);
  const w32 = decodeWav(riff([chunk('fmt ', fmtBody({ bits: 32 })), chunk('data', b32)]));
  close(w32.channelData[0]![0]!, -0.5, 1e-9);
  close(w32.channelData[0]![1]!, 1, 1e-6);
});

test('float32 and float64, NaN/Inf samples become 0', () => {
  const f32 = Buffer.alloc(12);
  f32.writeFloatLE(0.25, 0);
  f32.writeFloatLE(-0.75, 4);
  f32.writeFloatLE(Number.NaN, 8);
  const w = decodeWav(riff([chunk('fmt ', fmtBody({ tag: 3, bits: 32 })), chunk('data', f32)]));
  assert.equal(w.format, 'float');
  assert.deepEqual(Array.from(w.channelData[0]!), [0.25, -0.75, 0]);
  const f64 = Buffer.alloc(16);
  f64.writeDoubleLE(0.125, 0);
  f64.writeDoubleLE(Number.POSITIVE_INFINITY, 8);
  const w64 = decodeWav(riff([chunk('fmt ', fmtBody({ tag: 3, bits: 64 })), chunk('data', f64)]));
  assert.deepEqual(Array.from(w64.channelData[0]!), [0.125, 0]);
});

test('WAVE_FORMAT_EXTENSIBLE with PCM and float subformats', () => {
  const pcm = decodeWav(riff([chunk('fmt ', fmtBody({ extensibleSubTag: 1, bits: 24, validBits: 20, channels: 2 })), chunk('data', Buffer.alloc(12))]));
  assert.equal(pcm.format, 'pcm');
  assert.equal(pcm.bitsPerSample, 24);
  assert.equal(pcm.frameCount, 2);
  const fl = Buffer.alloc(4);
  fl.writeFloatLE(0.5, 0);
  const flt = decodeWav(riff([chunk('fmt ', fmtBody({ extensibleSubTag: 3, bits: 32 })), chunk('data', fl)]));
  assert.equal(flt.format, 'float');
  assert.equal(flt.channelData[0]![0], 0.5);
});

test('any chunk order: data before fmt, LIST and odd-sized chunks with pad bytes', () => {
  const bytes = riff([
    chunk('LIST', Buffer.from('INFOabc')), // odd size 7 + pad
    chunk('data', pcm16Body([100, 200])),
    chunk('junk', Buffer.alloc(3)),
    chunk('fmt ', fmtBody({ rateHz: 8000 })),
  ]);
  const w = decodeWav(bytes);
  assert.equal(w.sampleRateHz, 8000);
  assert.deepEqual(Array.from(w.channelData[0]!), [100 / 32768, 200 / 32768].map((v) => Math.fround(v)));
  assert.deepEqual(w.notes, []);
});

test('zero-length data chunk decodes to zero frames', () => {
  const w = decodeWav(riff([chunk('fmt ', fmtBody()), chunk('data', Buffer.alloc(0))]));
  assert.equal(w.frameCount, 0);
  assert.equal(w.channelData[0]!.length, 0);
});

test('toMono16k resamples 48 kHz to 16 kHz with ceil(n/3) samples', () => {
  const n = 4800;
  const s = Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)));
  const mono = toMono16k(decodeWav(simpleWav16(s, 48000)));
  assert.equal(mono.length, 1600);
  let peak = 0;
  for (let i = 200; i < 1400; i++) peak = Math.max(peak, Math.abs(mono[i]!));
  close(peak, 8000 / 32768, 0.01, 'peak');
});

test('readWavFile: missing file and garbage file give typed errors naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wav-'));
  const missing = join(dir, 'nope.wav');
  await assert.rejects(readWavFile(missing), (e: unknown) => e instanceof AppError && e.code === 'AUDIO_SOURCE' && e.message.includes(missing) && e.message.includes('not found'));
  const junk = join(dir, 'junk.wav');
  writeFileSync(junk, 'this is not a wav file at all');
  await assert.rejects(readWavFile(junk), (e: unknown) => e instanceof WavFormatError && e.message.includes(junk) && e.field === 'riff.id');
  await assert.rejects(readWavFile(dir), (e: unknown) => e instanceof AppError && e.code === 'AUDIO_SOURCE' && e.message.includes(dir));
  const good = join(dir, 'good.wav');
  writeFileSync(good, simpleWav16([1, 2, 3]));
  assert.equal((await readWavFile(good)).frameCount, 3);
});
