/**
 * tests/hil/lib/profile.ts — where the HIL suite finds its hardware.
 *
 * PARLEY_HIL_PROFILE=real (default): the board this runs on.
 *   PARLEY_HIL_DEVICE     ALSA capture device (default `default`)
 *   PARLEY_HIL_RATE_HZ / PARLEY_HIL_CHANNELS   capture format (default 16000 / 1)
 *   PARLEY_HIL_SYSFS      sysfs root for thermal zones and get_throttled (default /sys)
 *   PARLEY_HIL_SERIAL     indicator board path (unset: serial checks skipped)
 *   PARLEY_HIL_BUTTON_TIMEOUT_S  how long to wait for a button press (default 30)
 *   PARLEY_HIL_SPEAKER=1  play a clip with aplay (PARLEY_HIL_PLAYBACK, default `default`)
 *   PARLEY_HIL_ALLOW_SKIP=1  do not fail when every check was skipped
 * PARLEY_HIL_PROFILE=emulated: the same checks against stand-ins that really run here —
 *   arecord/aplay through ALSA's file plugin (a FIFO fed with a clip of known properties,
 *   aplay writing into the same FIFO as a loopback "speaker"), a fixture sysfs tree with a
 *   fake get_throttled, and a socat pty pair with a board simulator.
 */
import { appendFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LED_STATES } from '../../../src/serial/frame-codec.js';
import { createAlsaFileDevice, type AlsaFileDevice } from '../../helpers/alsa-file-device.js';
import { createPtyPair, type PtyPair } from '../../helpers/serial-pty.js';
import { BoardSimulator } from './board-simulator.js';

export type HilProfileName = 'real' | 'emulated';

export interface HilProfile {
  name: HilProfileName;
  allowSkip: boolean;
  audio: {
    device: string;
    env: NodeJS.ProcessEnv;
    rateHz: number;
    channels: number;
    /** Emulated: the FIFO behind the capture device (the test feeds the stimulus). */
    fifo?: AlsaFileDevice;
  };
  thermal: { sysfsRoot: string; useVcgencmd: boolean };
  serial: { path: string | undefined; buttonTimeoutMs: number; simulator?: BoardSimulator };
  /** undefined: no speaker check, with the reason in `speakerSkip`. */
  speaker?: { playbackDevice: string };
  speakerSkip?: string;
  cleanup(): Promise<void>;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const HIL_SYSFS_FIXTURE = join(REPO, 'tests', 'fixtures', 'hil', 'sysfs');
/** Known contents of the fixture tree (tests/fixtures/hil/sysfs). */
export const HIL_SYSFS_TRUTH = {
  zones: [{ zone: 'thermal_zone0', type: 'cpu-thermal', tempC: 48.312 }, { zone: 'thermal_zone1', type: 'gpu-thermal', tempC: 51.25 }],
  throttledRaw: 0x50000,
};

function int(env: NodeJS.ProcessEnv, key: string, dflt: number): number {
  const v = env[key];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}=${v} is not a positive integer`);
  return n;
}

export async function loadHilProfile(env: NodeJS.ProcessEnv = process.env): Promise<HilProfile> {
  const name = (env.PARLEY_HIL_PROFILE ?? 'real') as HilProfileName;
  if (name !== 'real' && name !== 'emulated') throw new Error(`PARLEY_HIL_PROFILE=${name}: expected real or emulated`);
  const allowSkip = env.PARLEY_HIL_ALLOW_SKIP === '1';
  const buttonTimeoutMs = int(env, 'PARLEY_HIL_BUTTON_TIMEOUT_S', 30) * 1000;
  if (name === 'real') {
    return {
      name,
      allowSkip,
      audio: { device: env.PARLEY_HIL_DEVICE || 'default', env, rateHz: int(env, 'PARLEY_HIL_RATE_HZ', 16000), channels: int(env, 'PARLEY_HIL_CHANNELS', 1) },
      thermal: { sysfsRoot: env.PARLEY_HIL_SYSFS || '/sys', useVcgencmd: true },
      serial: { path: env.PARLEY_HIL_SERIAL || undefined, buttonTimeoutMs },
      speaker: env.PARLEY_HIL_SPEAKER === '1' ? { playbackDevice: env.PARLEY_HIL_PLAYBACK || 'default' } : undefined,
      speakerSkip: env.PARLEY_HIL_SPEAKER === '1' ? undefined : 'PARLEY_HIL_SPEAKER is not 1 (no speaker declared next to the microphone)',
      async cleanup() {},
    };
  }
  const fifo = createAlsaFileDevice({ mode: 'fifo', name: 'hilmic' });
  // A playback PCM whose output file is the capture FIFO: aplay → FIFO → arecord, an
  // all-digital "speaker next to the microphone".
  appendFileSync(join(fifo.home, '.asoundrc'), ['pcm.hilspk {', '  type file', '  slave.pcm "null"', `  file "${fifo.infile}"`, '  format "raw"', '}', ''].join('\n'));
  let pty: PtyPair | undefined;
  let simulator: BoardSimulator | undefined;
  try {
    pty = await createPtyPair();
    simulator = new BoardSimulator({ path: pty.boardPath, pressAfterStates: LED_STATES });
  } catch (e) {
    fifo.cleanup();
    throw e;
  }
  return {
    name,
    allowSkip,
    audio: { device: fifo.device, env: fifo.env, rateHz: 16000, channels: 1, fifo },
    thermal: { sysfsRoot: HIL_SYSFS_FIXTURE, useVcgencmd: false },
    serial: { path: pty.hostPath, buttonTimeoutMs: Math.min(buttonTimeoutMs, 5000), simulator },
    speaker: { playbackDevice: 'hilspk' },
    async cleanup() {
      simulator?.stop();
      await pty?.close();
      fifo.cleanup();
    },
  };
}
