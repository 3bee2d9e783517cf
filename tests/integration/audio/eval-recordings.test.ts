/** The WAV reader and resampler on the real recordings in ../shared/eval, checked against sox. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudioSource } from '../../../src/audio/capture.js';
import { readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/util/logger.js';
import { evalDir } from '../../helpers/audio-eval-dir.js';

function soxRaw(args: string[]): Int16Array {
  const r = spawnSync('sox', args, { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `sox failed (apt-get install sox): ${r.stderr?.toString()}`);
  const b = r.stdout as Buffer;
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

for (const rel of ['jfk/jfk.wav', 'pyannote-sample/sample.wav']) {
  test(`${rel}: decoded samples equal sox's, sample for sample`, async () => {
    const path = join(evalDir(), rel);
    const w = await readWavFile(path);
    assert.equal(w.sampleRateHz, 16000);
    assert.equal(w.channels, 1);
    const ref = soxRaw([path, '-t', 's16', '-']);
    assert.equal(w.frameCount, ref.length);
    const x = w.channelData[0]!;
    for (let i = 0; i < ref.length; i++) if (x[i] !== ref[i]! / 32768) assert.fail(`sample ${i}: ${x[i]} vs ${ref[i]! / 32768}`);
  });
}

test('jfk.wav taken to 48 kHz stereo 24-bit by sox comes back to 16 kHz mono close to the original', async () => {
  const src = join(evalDir(), 'jfk/jfk.wav');
  const up = join(mkdtempSync(join(tmpdir(), 'parley-eval-')), 'jfk48.wav');
  const r = spawnSync('sox', ['-D', src, '-r', '48000', '-c', '2', '-b', '24', up]);
  assert.equal(r.status, 0, r.stderr?.toString());
  const orig = (await readWavFile(src)).channelData[0]!;
  const back = toMono16k(await readWavFile(up));
  assert.ok(Math.abs(back.length - orig.length) <= 1, `length ${back.length} vs ${orig.length}`);
  let sig = 0;
  let err = 0;
  for (let i = 1000; i < orig.length - 1000; i++) {
    sig += orig[i]! * orig[i]!;
    err += (back[i]! - orig[i]!) ** 2;
  }
  const snrDb = 10 * Math.log10(sig / err);
  assert.ok(snrDb > 50, // measured 69.3 dB
    `round-trip SNR ${snrDb.toFixed(1)} dB`);
});

test('file source over pyannote sample.wav: 30 s -> 938 frames with a contiguous clock', async () => {
  const path = join(evalDir(), 'pyannote-sample/sample.wav');
  const src = createAudioSource({ ...defaultConfig().audio, source: 'file', file: path }, { logger: silentLogger().root });
  let n = 0;
  for await (const f of src.frames(new AbortController().signal)) {
    assert.equal(f.startSample, n * 512);
    n++;
  }
  assert.equal(n, Math.ceil(480000 / 512));
});
