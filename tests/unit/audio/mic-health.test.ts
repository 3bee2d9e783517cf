import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { micHealthDoctorCheck, MicHealth, analyseS16, MIN_DBFS, toDbfs } from '../../../src/audio/mic-health.js';
import { defaultConfig } from '../../../src/config/load.js';
import { createAlsaFileDevice } from '../../helpers/alsa-file-device.js';

const RATE = 16000;

function sine(seconds: number, amp: number, hz = 440): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / RATE);
  return x;
}

/** Deterministic uniform noise in [-amp, amp] (never an exact zero). */
function noise(seconds: number, amp: number, seed = 1): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = amp * ((s / 0xffffffff) * 2 - 1) || amp * 1e-3;
  }
  return x;
}

function feed(mh: MicHealth, x: Float32Array, frame = 512): void {
  for (let off = 0, start = 0; off < x.length; off += frame, start += frame) mh.push({ samples: x.subarray(off, Math.min(off + frame, x.length)), startSample: start });
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('MicHealth levels', () => {
  it('a 0.1 sine: RMS -23.0 dBFS, peak -20 dBFS, no clipping, no dropouts, no warnings', () => {
    const mh = new MicHealth();
    feed(mh, sine(2, 0.1));
    const r = mh.report();
    assert.ok(Math.abs(r.rmsDbfs - 20 * Math.log10(0.1 / Math.SQRT2)) < 0.05, `rms ${r.rmsDbfs}`);
    assert.ok(Math.abs(r.peakDbfs + 20) < 0.05, `peak ${r.peakDbfs}`);
    assert.equal(r.clippingRate, 0);
    assert.equal(r.dropouts, 0);
    assert.equal(r.framesSeen, Math.ceil((2 * RATE) / 512));
    // A constant tone is its own noise floor: only the "noisy" warning may fire.
    assert.deepEqual(mh.warnings().map((w) => w.split(':')[0]), ['noisy']);
    const quietRoom = new MicHealth();
    feed(quietRoom, concat(noise(1.5, 0.002), sine(0.5, 0.1)));
    assert.deepEqual(quietRoom.warnings(), []);
  });

  it('noise floor is the quiet part: low noise with loud bursts', () => {
    const mh = new MicHealth();
    // 80 % of the time noise at amp 0.001 (uniform: RMS = amp/sqrt(3) = -64.8 dBFS), 20 % a loud tone.
    feed(mh, concat(noise(4, 0.001), sine(1, 0.5)));
    const r = mh.report();
    const expected = 20 * Math.log10(0.001 / Math.sqrt(3));
    assert.ok(Math.abs(r.noiseFloorDbfs - expected) < 1.5, `floor ${r.noiseFloorDbfs} vs ${expected}`);
    assert.ok(Math.abs(r.rmsDbfs - 10 * Math.log10(0.125 / 5)) < 0.2, `rms ${r.rmsDbfs}`);
  });

  it('clipping rate counts |x| >= 0.999 and warns', () => {
    const mh = new MicHealth();
    const x = sine(1, 2); // hard-clip a sine of amplitude 2
    for (let i = 0; i < x.length; i++) x[i] = Math.max(-1, Math.min(1, x[i] as number));
    feed(mh, x);
    const r = mh.report();
    // |2 sin| >= 0.999 for 2/3 of the period (|sin| >= 0.4995 ⇔ phase outside ±30° of the zero crossings).
    assert.ok(Math.abs(r.clippingRate - 2 / 3) < 0.01, `rate ${r.clippingRate}`);
    assert.equal(r.peakDbfs, 0);
    assert.ok(mh.warnings().some((w) => w.startsWith('clipping')));
  });

  it('digital silence reports MIN_DBFS and warns too quiet, never -Infinity', () => {
    const mh = new MicHealth();
    feed(mh, new Float32Array(RATE));
    const r = mh.report();
    assert.equal(r.rmsDbfs, MIN_DBFS);
    assert.equal(r.noiseFloorDbfs, MIN_DBFS);
    assert.equal(r.peakDbfs, MIN_DBFS);
    assert.ok(mh.warnings().some((w) => w.startsWith('too quiet')));
    assert.equal(toDbfs(0), MIN_DBFS);
    assert.equal(toDbfs(1), 0);
  });

  it('a loud constant noise warns noisy', () => {
    const mh = new MicHealth();
    feed(mh, noise(2, 0.1));
    assert.ok(mh.warnings().some((w) => w.startsWith('noisy')), JSON.stringify(mh.warnings()));
  });

  it('no frames: one warning, zeroed report', () => {
    const mh = new MicHealth();
    assert.deepEqual(mh.warnings(), ['no audio analysed yet']);
    assert.equal(mh.report().framesSeen, 0);
    assert.equal(mh.report().rmsDbfs, MIN_DBFS);
  });

  it('rejects bad options', () => {
    assert.throws(() => new MicHealth({ windowMs: 0 }), RangeError);
    assert.throws(() => new MicHealth({ sampleRateHz: -1 }), RangeError);
    assert.throws(() => new MicHealth({ noisePercentile: 1.5 }), RangeError);
  });
});

describe('MicHealth dropouts', () => {
  it('a 30 ms run of exact zeros across frame boundaries is one dropout; 10 ms is not', () => {
    const mh = new MicHealth();
    const z30 = new Float32Array(Math.round(0.03 * RATE));
    const z10 = new Float32Array(Math.round(0.01 * RATE));
    feed(mh, concat(noise(0.5, 0.01), z30, noise(0.5, 0.01, 2), z10, noise(0.5, 0.01, 3)), 160);
    const r = mh.report();
    assert.equal(r.dropouts, 1);
    assert.equal(r.dropoutMs, 30);
    assert.ok(mh.warnings().some((w) => w.startsWith('dropouts')));
  });

  it('an ongoing run of zeros counts once it is long enough', () => {
    const mh = new MicHealth();
    feed(mh, concat(noise(0.5, 0.01), new Float32Array(Math.round(0.1 * RATE))));
    const r = mh.report();
    assert.equal(r.dropouts, 1);
    assert.equal(r.dropoutMs, 100);
  });

  it('all-zero frames do not drag the noise floor down', () => {
    const mh = new MicHealth();
    feed(mh, concat(noise(1, 0.01), new Float32Array(RATE), noise(1, 0.01, 5)));
    assert.ok(mh.report().noiseFloorDbfs > -60, String(mh.report().noiseFloorDbfs));
  });

  it('noteGap adds a dropout; it leaves the window after windowMs', () => {
    const mh = new MicHealth({ windowMs: 1000 });
    feed(mh, noise(0.5, 0.01));
    mh.noteGap(250);
    mh.noteGap(0); // ignored
    let r = mh.report();
    assert.equal(r.dropouts, 1);
    assert.equal(r.dropoutMs, 250);
    feed(mh, noise(1.2, 0.01, 7));
    r = mh.report();
    assert.equal(r.dropouts, 0);
    assert.equal(r.dropoutMs, 0);
  });
});

describe('MicHealth sliding window', () => {
  it('forgets a loud past after windowMs', () => {
    const mh = new MicHealth({ windowMs: 1000 });
    feed(mh, sine(1, 0.9));
    assert.ok(mh.report().rmsDbfs > -5);
    feed(mh, sine(1.1, 0.01));
    const r = mh.report();
    assert.ok(Math.abs(r.rmsDbfs - 20 * Math.log10(0.01 / Math.SQRT2)) < 0.5, `rms ${r.rmsDbfs}`);
    assert.ok(r.windowFrames <= Math.ceil(RATE / 512) + 1);
    assert.equal(r.framesSeen, Math.ceil(RATE / 512) + Math.ceil((1.1 * RATE) / 512));
  });

  it('stays bounded over a long stream (compaction)', () => {
    const mh = new MicHealth({ windowMs: 500 });
    const f = noise(0.032, 0.01);
    for (let i = 0; i < 5000; i++) mh.push(f);
    assert.ok(mh.report().windowFrames <= 17);
    assert.equal(mh.report().framesSeen, 5000);
  });

  it('thresholds are configurable', () => {
    const mh = new MicHealth({ thresholds: { quietRmsDbfs: -10 } });
    feed(mh, sine(1, 0.1));
    assert.ok(mh.warnings()[0]?.startsWith('too quiet'));
  });
});

describe('analyseS16', () => {
  it('downmixes stereo and resamples 48 kHz to the pipeline format', () => {
    const n = 48000;
    const b = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) {
      const v = Math.round(3276.8 * Math.sin((2 * Math.PI * 440 * i) / 48000));
      b.writeInt16LE(v, i * 4);
      b.writeInt16LE(v, i * 4 + 2);
    }
    const r = analyseS16(b, 48000, 2).report();
    assert.ok(Math.abs(r.rmsDbfs - 20 * Math.log10(0.1 / Math.SQRT2)) < 0.3, `rms ${r.rmsDbfs}`);
    assert.ok(Math.abs(r.framesSeen - Math.ceil(RATE / 512)) <= 1);
  });
});

describe('micHealthDoctorCheck', () => {
  it('skips with a reason when the source is not ALSA', async () => {
    const [r] = await micHealthDoctorCheck(defaultConfig({ audio: { source: 'stdin' } }));
    assert.equal(r?.state, 'skip');
    assert.match(r?.detail ?? '', /audio.source is stdin/);
  });

  it('skips with a reason when the device cannot be opened', async () => {
    const dev = createAlsaFileDevice({ mode: 'file', bytes: new Uint8Array(0) });
    try {
      const [r] = await micHealthDoctorCheck(defaultConfig({ audio: { source: 'alsa', device: 'nosuchpcm' } }), { env: dev.env, durationMs: 200 });
      assert.equal(r?.state, 'skip');
      assert.match(r?.detail ?? '', /nosuchpcm|no capture device/);
    } finally {
      dev.cleanup();
    }
  });

  const s16 = (x: Float32Array): Uint8Array => {
    const b = Buffer.alloc(x.length * 2);
    for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round((x[i] as number) * 32767))), i * 2);
    return b;
  };

  it('records through real arecord (ALSA file plugin): ok for a clean signal', async () => {
    const dev = createAlsaFileDevice({ mode: 'file', bytes: s16(concat(noise(1, 0.003), sine(1.5, 0.2))) });
    try {
      const [r] = await micHealthDoctorCheck(defaultConfig({ audio: { source: 'alsa', device: dev.device } }), { env: dev.env });
      assert.equal(r?.state, 'ok', r?.detail);
      assert.match(r?.detail ?? '', /RMS -\d+\.\d dBFS/);
    } finally {
      dev.cleanup();
    }
  });

  it('warns about clipping and dropouts in the recording', async () => {
    const loud = sine(1, 3);
    for (let i = 0; i < loud.length; i++) loud[i] = Math.max(-1, Math.min(1, loud[i] as number));
    const dev = createAlsaFileDevice({ mode: 'file', bytes: s16(concat(noise(0.5, 0.01), new Float32Array(800), loud, noise(0.6, 0.01))) });
    try {
      const [r] = await micHealthDoctorCheck(defaultConfig({ audio: { source: 'alsa', device: dev.device } }), { env: dev.env });
      assert.equal(r?.state, 'warn', r?.detail);
      assert.match(r?.detail ?? '', /clipping: /);
      assert.match(r?.detail ?? '', /dropouts: 1 /);
    } finally {
      dev.cleanup();
    }
  });
});
