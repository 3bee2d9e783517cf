/**
 * Hardware-in-the-loop suite (`npm run test:hil`). See docs/appliance.md and lib/profile.ts.
 *
 * One file on purpose: the checks run in order (the serial checks share one open device), and
 * the last test sees every earlier outcome: a run where every check was skipped proved nothing
 * and fails, unless PARLEY_HIL_ALLOW_SKIP=1. Skips use t.skip(reason) and are printed with
 * their reason; they are never counted as passes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PocketsphinxRecognizer } from '../../src/asr/pocketsphinx-recognizer.js';
import { analyseS16 } from '../../src/audio/mic-health.js';
import { resample } from '../../src/audio/resampler.js';
import { S16Decoder } from '../../src/audio/s16-decoder.js';
import { writeWavFile } from '../../src/audio/wav-writer.js';
import { defaultConfig } from '../../src/config/load.js';
import { readThermalZones, readThrottle, RPI_THROTTLED_PATH } from '../../src/monitor/sysfs-reader.js';
import { IndicatorDevice } from '../../src/serial/device.js';
import { LED_STATES } from '../../src/serial/frame-codec.js';
import { silentLogger } from '../../src/util/logger.js';
import { jfk } from '../helpers/asr-eval.js';
import { DROPOUT_MS, emulatedMicClip, listCaptureCards, listPcmNames, NOISE_AMP, recordS16 } from './lib/audio.js';
import { HIL_SYSFS_TRUTH, loadHilProfile } from './lib/profile.js';
import { hilPrompt, hilRan, hilSkip, hilTally } from './lib/skips.js';

const P = await loadHilProfile();
const emulated = P.name === 'emulated';
const HIL_KEYPHRASES = ['your country', 'fellow americans'] as const;
process.stderr.write(`HIL profile: ${P.name} (capture ${P.audio.device}, sysfs ${P.thermal.sysfsRoot}, serial ${P.serial.path ?? '-'}, speaker ${P.speaker?.playbackDevice ?? '-'})\n`);
after(() => P.cleanup());

/** Emulated only: empty the capture FIFO so one check's leftovers never reach the next. */
function drainFifo(): void {
  if (!P.audio.fifo) return;
  const fd = openSync(P.audio.fifo.infile, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(65536);
  try {
    for (;;) if (readSync(fd, buf, 0, buf.length, null) <= 0) break;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
  } finally {
    closeSync(fd);
  }
}

function hasCaptureHardware(): string | undefined {
  if (emulated) return undefined;
  const c = listCaptureCards(P.audio.env);
  return c.cards.length > 0 ? undefined : `no ALSA capture card on this machine (${c.why})`;
}

const toMono16k = (bytes: Buffer): Float32Array => {
  const mono = new S16Decoder(P.audio.channels).push(bytes);
  return P.audio.rateHz === 16000 ? mono : resample(mono, P.audio.rateHz, 16000);
};

describe('HIL audio', () => {
  test('capture devices are listed', (t) => {
    const cards = listCaptureCards(P.audio.env);
    const pcms = listPcmNames(P.audio.env);
    console.log(`# arecord -l: ${cards.cards.length > 0 ? cards.cards.join(' | ') : cards.why}`);
    if (emulated) {
      assert.ok(pcms.includes(P.audio.device), `arecord -L does not list ${P.audio.device}: ${pcms.join(', ')}`);
    } else {
      const why = hasCaptureHardware();
      if (why) return hilSkip(t, why);
      assert.ok(cards.cards.length > 0);
    }
    hilRan(t);
  });

  test('microphone level, noise floor, clipping and dropouts', async (t) => {
    const why = hasCaptureHardware();
    if (why) return hilSkip(t, why);
    const clip = emulated ? emulatedMicClip() : undefined;
    const samples = clip ? clip.length / 2 : 3 * P.audio.rateHz;
    if (!emulated) hilPrompt(`speak near the microphone "${P.audio.device}" for the next 3 s`);
    drainFifo();
    const rec = recordS16(P.audio.device, { env: P.audio.env, rateHz: P.audio.rateHz, channels: P.audio.channels, samples, timeoutMs: 15_000 });
    if (clip && P.audio.fifo) await P.audio.fifo.feed(clip, { speed: Infinity });
    const r = await rec;
    assert.equal(r.code, 0, `arecord -D ${P.audio.device} failed: ${r.stderr}`);
    assert.equal(r.bytes.length, samples * P.audio.channels * 2, 'short recording');
    const mh = analyseS16(r.bytes, P.audio.rateHz, P.audio.channels);
    const rep = mh.report();
    const warnings = mh.warnings(rep);
    console.log(`# mic health: ${JSON.stringify(rep)}${warnings.length ? ` warnings: ${warnings.join('; ')}` : ''}`);
    if (clip) {
      // The emulated clip's true figures come from the clip itself: the capture path must not change them.
      assert.deepEqual(rep, analyseS16(clip, 16000, 1).report());
      assert.equal(rep.dropouts, 1);
      assert.equal(rep.dropoutMs, DROPOUT_MS);
      assert.ok(Math.abs(rep.noiseFloorDbfs - 20 * Math.log10(NOISE_AMP / Math.sqrt(3))) < 2, `noise floor ${rep.noiseFloorDbfs}`);
      assert.ok(rep.clippingRate > 0.001 && rep.clippingRate < 0.02, `clipping ${rep.clippingRate}`);
      assert.deepEqual(warnings.map((w) => w.split(':')[0]), ['clipping', 'dropouts']);
    } else {
      assert.deepEqual(warnings, [], 'the microphone is not healthy');
    }
    hilRan(t);
  });

  test('speaker → microphone: a played phrase is transcribed', async (t) => {
    if (!P.speaker) return hilSkip(t, P.speakerSkip ?? 'no speaker');
    const why = hasCaptureHardware();
    if (why) return hilSkip(t, why);
    // Real speech (jfk.wav from the eval set): PocketSphinx cannot read espeak's synthetic voice.
    const { samples: phrase, reference } = jfk();
    const dir = mkdtempSync(join(tmpdir(), 'parley-hil-'));
    try {
      const wav = join(dir, 'phrase.wav');
      writeWavFile(wav, phrase, 16000);
      const tailS = emulated ? 0.25 : 1.5;
      const samples = Math.round((phrase.length / 16000 + tailS) * P.audio.rateHz);
      drainFifo();
      const rec = recordS16(P.audio.device, { env: P.audio.env, rateHz: P.audio.rateHz, channels: P.audio.channels, samples, timeoutMs: 20_000 });
      const tPlay = Date.now();
      const play = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const cp = spawn('aplay', ['-q', '-D', P.speaker!.playbackDevice, wav], { env: P.audio.env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        cp.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => cp.kill('SIGKILL'), 15_000);
        cp.on('error', (e) => resolve({ code: -1, stderr: e.message }));
        cp.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      const playedMs = Date.now() - tPlay;
      assert.equal(play.code, 0, `aplay -D ${P.speaker.playbackDevice} failed: ${play.stderr}`);
      // Emulated: the loopback has no acoustic tail; top it up with silence so the recording completes.
      if (P.audio.fifo) await P.audio.fifo.feed(new Uint8Array(Math.ceil(tailS * 16000) * 2 + 8000), { speed: Infinity });
      const r = await rec;
      assert.equal(r.code, 0, `arecord failed: ${r.stderr}`);
      // Keyphrase spotting, not dictation: ~0.5 s instead of 15-60 s of decoding on a loaded
      // 2-core box, and a clear pass/fail: "your country" is said twice in jfk.wav.
      const ps = defaultConfig().asr.pocketsphinx;
      const spotter = await PocketsphinxRecognizer.create({ ...ps, mode: 'keyphrase', keyphrases: [...HIL_KEYPHRASES], keyphrase_threshold: 1e-15 });
      try {
        const tAsr = Date.now();
        const res = await spotter.recognize(toMono16k(r.bytes));
        console.log(`# aplay ${playedMs} ms, PocketSphinx ${Date.now() - tAsr} ms; spotted "${res?.text ?? ''}" in "${reference}"`);
        assert.match(res?.text ?? '', /your country/, `the played phrase was not heard back (spotted: "${res?.text ?? ''}")`);
      } finally {
        await spotter.close();
      }
      hilRan(t);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      drainFifo();
    }
  });
});

describe('HIL thermal', () => {
  test('thermal zones are readable and below 85 °C', async (t) => {
    const { zones, malformed } = await readThermalZones(P.thermal.sysfsRoot);
    if (zones.length === 0 && malformed === 0) return hilSkip(t, `no thermal zones under ${P.thermal.sysfsRoot}/class/thermal (a VM or container exposes none)`);
    console.log(`# thermal: ${zones.map((z) => `${z.zone} ${z.type} ${z.tempC.toFixed(1)} °C`).join(', ')}`);
    assert.equal(malformed, 0, 'unreadable thermal zones');
    for (const z of zones) {
      assert.ok(z.tempC > -40 && z.tempC < 125, `${z.zone} implausible ${z.tempC} °C`);
      assert.ok(z.tempC < 85, `${z.zone} (${z.type}) at ${z.tempC} °C: the board is overheating`);
    }
    if (emulated) assert.deepEqual(zones, HIL_SYSFS_TRUTH.zones);
    hilRan(t);
  });

  test('throttling flags: no under-voltage or throttling now', async (t) => {
    const th = await readThrottle(P.thermal.sysfsRoot, P.thermal.useVcgencmd);
    if (!th) return hilSkip(t, `no ${join(P.thermal.sysfsRoot, RPI_THROTTLED_PATH)} and no vcgencmd: not a Raspberry Pi`);
    console.log(`# get_throttled=0x${th.raw.toString(16)} (${th.source}); occurred since boot: ${th.occurredSinceBoot}`);
    assert.equal(th.underVoltageNow, false, 'under-voltage now: use a proper 5 V supply');
    assert.equal(th.throttledNow, false, 'the SoC is throttled now');
    if (emulated) {
      assert.equal(th.raw, HIL_SYSFS_TRUTH.throttledRaw);
      assert.equal(th.occurredSinceBoot, true);
    }
    hilRan(t);
  });
});

describe('HIL serial indicator', () => {
  let dev: IndicatorDevice | undefined;
  const buttons: string[] = [];
  after(() => dev?.stop());

  test('the board connects and says HELLO', async (t) => {
    const path = P.serial.path;
    if (!path) return hilSkip(t, 'PARLEY_HIL_SERIAL is not set (no indicator board declared)');
    assert.ok(existsSync(path), `PARLEY_HIL_SERIAL=${path} does not exist: is the board plugged in?`);
    const cfg = defaultConfig({ serial: { enabled: true, path, reconnect_initial_ms: 200, reconnect_max_ms: 1000 } }).serial;
    dev = new IndicatorDevice({ cfg, logger: silentLogger().root });
    dev.on('button', (b: string) => buttons.push(b));
    const connected = new Promise((r) => dev!.once('connected', r));
    await dev.start();
    await Promise.race([connected, new Promise((_, rej) => setTimeout(() => rej(new Error(`could not open ${path} within 5 s`)), 5000).unref())]);
    P.serial.simulator?.start();
    const t0 = Date.now();
    while (dev.stats().firmware === null && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    const s = dev.stats();
    console.log(`# board firmware ${s.firmware ?? '(no HELLO)'}; frames ${s.frames}, bad checksums ${s.badChecksum}`);
    assert.notEqual(s.firmware, null, 'no $HELLO from the board within 5 s of opening the port');
    hilRan(t);
  });

  test('the LED goes through every state', async (t) => {
    if (!dev) return hilSkip(t, 'no board (see the HELLO check)');
    for (const s of LED_STATES) {
      dev.setLed(s);
      if (!emulated) hilPrompt(`the LED should now show "${s}"`);
      await new Promise((r) => setTimeout(r, emulated ? 60 : 1500));
    }
    assert.equal(dev.stats().connected, true, 'the board disconnected while cycling the LED');
    const sim = P.serial.simulator;
    if (sim) {
      const seen = sim.leds.filter((s, i) => s !== sim.leds[i - 1]);
      let k = 0;
      for (const s of seen) if (s === LED_STATES[k]) k++;
      assert.equal(k, LED_STATES.length, `board saw ${seen.join(',')}`);
      assert.equal(sim.badFrames, 0);
    }
    hilRan(t);
  });

  test('a button press reaches the host', async (t) => {
    if (!dev) return hilSkip(t, 'no board (see the HELLO check)');
    if (!emulated) hilPrompt(`press the SESSION (or MUTE) button on the board within ${P.serial.buttonTimeoutMs / 1000} s`);
    const t0 = Date.now();
    while (buttons.length === 0 && Date.now() - t0 < P.serial.buttonTimeoutMs) await new Promise((r) => setTimeout(r, 20));
    assert.ok(buttons.length > 0, `no button press within ${P.serial.buttonTimeoutMs / 1000} s`);
    console.log(`# button: ${buttons[0]}`);
    hilRan(t);
  });
});

test('HIL gate: the run exercised hardware', (t) => {
  const { ran, skipped } = hilTally();
  console.log(`# HIL ${P.name}: ${ran.length} checks ran, ${skipped.length} skipped${skipped.map((s) => `\n#   skipped ${s.name}: ${s.reason}`).join('')}`);
  if (emulated) {
    assert.deepEqual(skipped, [], 'the emulated profile must run every check');
    return;
  }
  if (ran.length === 0) {
    if (P.allowSkip) return hilSkip(t, 'every check was skipped (allowed by PARLEY_HIL_ALLOW_SKIP=1)');
    assert.fail('every HIL check was skipped: this machine has none of the hardware (see the reasons above). Run on the board, use PARLEY_HIL_PROFILE=emulated, or set PARLEY_HIL_ALLOW_SKIP=1.');
  }
});
