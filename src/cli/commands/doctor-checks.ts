import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrozenConfig } from '../../config/schema.js';
import { micHealthDoctorCheck } from '../../audio/mic-health.js';
import { describeReadings } from '../../monitor/describe-readings.js';
import { SystemMetricsSource } from '../../monitor/metrics-source.js';
import { checkBroker } from '../../mqtt/broker-check.js';
import { resolveDeviceId } from '../../mqtt/topics.js';
import { resolveBundle } from '../../models/model-store.js';
import { hostname } from 'node:os';
import { statfsUsage } from '../../storage/disk-budget.js';

export interface CheckResult {
  name: string;
  state: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

export interface DoctorCheck {
  name: string;
  run(cfg: FrozenConfig): Promise<CheckResult[]>;
}

const captureDevice: DoctorCheck = {
  name: 'capture',
  async run(cfg) {
    if (cfg.audio.source !== 'alsa') {
      const ok = cfg.audio.source === 'stdin' || existsSync(cfg.audio.file);
      return [{ name: 'capture', state: ok ? 'ok' : 'fail', detail: `source ${cfg.audio.source}${cfg.audio.file ? ` (${cfg.audio.file})` : ''}`, fix: ok ? undefined : 'set audio.file to an existing WAV file' }];
    }
    const which = spawnSync('arecord', ['--version'], { encoding: 'utf8' });
    if (which.error) return [{ name: 'capture', state: 'fail', detail: 'arecord not found', fix: 'apt-get install alsa-utils' }];
    // Open the configured device for a fraction of a second: proves the PCM exists and is free.
    const r = spawnSync('arecord', ['-q', '-D', cfg.audio.device, '-f', 'S16_LE', '-r', String(cfg.audio.capture_rate_hz), '-c', String(cfg.audio.capture_channels), '-t', 'raw', '-s', '1600', '/dev/null'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return [{ name: 'capture', state: 'ok', detail: `ALSA device "${cfg.audio.device}" opens at ${cfg.audio.capture_rate_hz} Hz` }];
    const list = spawnSync('arecord', ['-l'], { encoding: 'utf8' }).stdout.trim().split('\n').filter((l) => l.startsWith('card')).join('; ');
    return [{
      name: 'capture', state: 'fail', detail: `ALSA device "${cfg.audio.device}" cannot be opened: ${(r.stderr || 'timeout').trim().split('\n')[0]}`,
      fix: list ? `set audio.device to one of: ${list}` : 'no capture card found: plug in a microphone, or use audio.source file/stdin',
    }];
  },
};

const models: DoctorCheck = {
  name: 'models',
  async run(cfg) {
    const out: CheckResult[] = [];
    try {
      const b = await resolveBundle(cfg, cfg.vad.model);
      out.push({ name: 'models.vad', state: 'ok', detail: `${b.name} (${b.precision}) verified` });
    } catch (e) {
      out.push({ name: 'models.vad', state: 'fail', detail: (e as Error).message, fix: 'npm run models:fetch' });
    }
    if (cfg.asr.engine === 'pocketsphinx') {
      const bin = cfg.asr.pocketsphinx.binary;
      const r = spawnSync(bin, ['-h'], { encoding: 'utf8', timeout: 5000 });
      out.push(r.error
        ? { name: 'models.asr', state: 'fail', detail: `${bin} not found`, fix: 'apt-get install pocketsphinx pocketsphinx-en-us' }
        : { name: 'models.asr', state: 'ok', detail: `${bin} available` });
    } else if (cfg.asr.engine !== 'none') {
      try {
        const b = await resolveBundle(cfg, cfg.asr.model);
        out.push({ name: 'models.asr', state: 'ok', detail: `${b.name} (${b.precision}) verified` });
      } catch (e) {
        out.push({ name: 'models.asr', state: 'fail', detail: (e as Error).message, fix: `parley models fetch ${cfg.asr.model}` });
      }
    } else out.push({ name: 'models.asr', state: 'skip', detail: 'asr.engine is none' });
    return out;
  },
};

const disk: DoctorCheck = {
  name: 'disk',
  async run(cfg) {
    let dir = dirname(cfg.storage.db_path);
    while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
    const { freeMb } = statfsUsage(dir);
    const state = freeMb < 100 ? 'fail' : freeMb < 500 ? 'warn' : 'ok';
    return [{ name: 'disk', state, detail: `${freeMb.toFixed(0)} MB free on the data volume (${dir})`, fix: state === 'ok' ? undefined : 'free space or lower retention' }];
  },
};

const thermal: DoctorCheck = {
  name: 'thermal',
  async run() {
    const root = '/sys/class/thermal';
    const zones = existsSync(root) ? readdirSync(root).filter((z) => z.startsWith('thermal_zone')) : [];
    if (zones.length === 0) return [{ name: 'thermal', state: 'warn', detail: 'no thermal zones readable', fix: 'thermal tiers cannot react on this machine' }];
    return zones.map((z) => {
      try {
        const t = Number(readFileSync(join(root, z, 'temp'), 'utf8')) / 1000;
        const type = readFileSync(join(root, z, 'type'), 'utf8').trim();
        return { name: `thermal.${z}`, state: t >= 80 ? 'warn' : 'ok', detail: `${type}: ${t.toFixed(1)} °C` } as CheckResult;
      } catch (e) {
        return { name: `thermal.${z}`, state: 'warn', detail: `unreadable: ${(e as Error).message}` } as CheckResult;
      }
    });
  },
};

const broker: DoctorCheck = {
  name: 'broker',
  async run(cfg) {
    if (!cfg.mqtt.enabled) return [{ name: 'broker', state: 'skip', detail: 'mqtt.enabled is false' }];
    const r = await checkBroker(cfg.mqtt, resolveDeviceId(cfg.device.id, hostname), 3000);
    return [{ name: 'broker', state: r.ok ? 'ok' : 'fail', detail: r.detail, fix: r.ok ? undefined : 'check mqtt.url, credentials and that the broker is running' }];
  },
};

const budgets: DoctorCheck = {
  name: 'budgets',
  async run(cfg) {
    const readings = await new SystemMetricsSource(cfg).readAll();
    return describeReadings(readings, cfg).map((r) => ({
      name: `budget.${r.name}`,
      state: r.state === 'critical' ? 'fail' : r.state === 'warn' ? 'warn' : 'ok',
      detail: `${r.value ?? 'n/a'}${r.unit ? ` ${r.unit}` : ''} (budget: ${r.budget})`,
    }));
  },
};

const micHealth: DoctorCheck = { name: 'mic-health', run: (cfg) => micHealthDoctorCheck(cfg) };

/** Checks in display order. Other components append theirs here (broker, serial, budgets). */
export const DOCTOR_CHECKS: DoctorCheck[] = [captureDevice, micHealth, models, disk, thermal, budgets, broker];
