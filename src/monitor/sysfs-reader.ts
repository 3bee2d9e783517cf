/**
 * src/monitor/sysfs-reader.ts: direct reads of kernel files systeminformation does not
 * cover (or covers with a child process per call): every `class/thermal/thermal_zone*`
 * (Raspberry Pi `cpu-thermal`, Jetson `CPU-therm`/`GPU-therm`/... zones), the Raspberry Pi
 * firmware `get_throttled` file, `/proc/self/status` VmRSS, and fixture meminfo/loadavg.
 * All parsers are pure and reject malformed content with `undefined` (counted by the caller).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ThermalZoneReading, ThrottleReading } from './readings.js';

/** Parse a thermal `temp` file (millidegrees C, e.g. "48312\n"). Rejects junk and absurd values. */
export function parseMilliC(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return undefined;
  const milli = Number(t);
  if (!Number.isSafeInteger(milli) || milli < -60000 || milli > 200000) return undefined;
  return milli / 1000;
}

/**
 * Parse `get_throttled`: sysfs prints hex without a prefix ("50005"), vcgencmd prints
 * "throttled=0x50005". Bits: 0 under-voltage, 1 arm freq capped, 2 throttled, 3 soft temp
 * limit (now); 16-19 the same "has occurred".
 */
export function parseThrottled(text: string, source: ThrottleReading['source']): ThrottleReading | undefined {
  const m = /^(?:throttled=)?(?:0x)?([0-9a-fA-F]{1,8})$/.exec(text.trim());
  if (!m || m[1] === undefined) return undefined;
  const raw = parseInt(m[1], 16);
  return {
    raw,
    underVoltageNow: (raw & 0x1) !== 0,
    freqCappedNow: (raw & 0x2) !== 0,
    throttledNow: (raw & 0x4) !== 0,
    softTempLimitNow: (raw & 0x8) !== 0,
    occurredSinceBoot: (raw & 0xf0000) !== 0,
    source,
  };
}

/** Parse `VmRSS:   123456 kB` out of /proc/<pid>/status, in MB. */
export function parseVmRssMb(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]) / 1024;
}

export interface MeminfoMb { totalMb: number; availableMb: number; swapTotalMb: number; swapFreeMb: number }

/** Parse /proc/meminfo (kB values). MemAvailable is required (kernel ≥ 3.14). */
export function parseMeminfo(text: string): MeminfoMb | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const total = kb('MemTotal');
  const avail = kb('MemAvailable');
  if (total === undefined || avail === undefined || total === 0 || avail > total) return undefined;
  return { totalMb: total / 1024, availableMb: avail / 1024, swapTotalMb: (kb('SwapTotal') ?? 0) / 1024, swapFreeMb: (kb('SwapFree') ?? 0) / 1024 };
}

/** Parse /proc/loadavg's first field. */
export function parseLoadAvg1(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Aggregate `cpu` line of /proc/stat: idle (idle + iowait) and total jiffies; undefined when malformed. */
export function parseProcStatCpu(text: string): { idle: number; total: number } | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x) || x < 0)) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: v[3] + (v[4] ?? 0), total };
}

export interface ThermalRead { zones: ThermalZoneReading[]; malformed: number }

/** Read every `<sysfsRoot>/class/thermal/thermal_zone*` (missing directory: no zones). */
export async function readThermalZones(sysfsRoot: string): Promise<ThermalRead> {
  const dir = join(sysfsRoot, 'class', 'thermal');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^thermal_zone\d+$/.test(n)).sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)));
  } catch {
    return { zones: [], malformed: 0 };
  }
  const zones: ThermalZoneReading[] = [];
  let malformed = 0;
  for (const zone of names) {
    const temp = await readFile(join(dir, zone, 'temp'), 'utf8').then(parseMilliC, () => undefined);
    if (temp === undefined) {
      malformed++;
      continue;
    }
    const type = await readFile(join(dir, zone, 'type'), 'utf8').then((t) => t.trim(), () => '');
    zones.push({ zone, type, tempC: temp });
  }
  return { zones, malformed };
}

export const RPI_THROTTLED_PATH = join('devices', 'platform', 'soc', 'soc:firmware', 'get_throttled');

/** Set once `vcgencmd` turned out not to be installed: no process is spawned for it again. */
let vcgencmdMissing = false;

/**
 * Raspberry Pi throttling from sysfs, else `vcgencmd get_throttled` (when allowed and
 * present; a board without it, such as a Jetson, pays for one failed spawn, not one per sample).
 */
export async function readThrottle(sysfsRoot: string, useVcgencmd: boolean): Promise<ThrottleReading | null> {
  const text = await readFile(join(sysfsRoot, RPI_THROTTLED_PATH), 'utf8').catch(() => undefined);
  if (text !== undefined) return parseThrottled(text, 'sysfs') ?? null;
  if (!useVcgencmd || vcgencmdMissing) return null;
  const out = await new Promise<string | undefined>((resolve) => {
    execFile('vcgencmd', ['get_throttled'], { timeout: 2000 }, (err, stdout) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') vcgencmdMissing = true;
      resolve(err ? undefined : stdout);
    });
  });
  return out === undefined ? null : (parseThrottled(out, 'vcgencmd') ?? null);
}

/** This process's RSS in MB from /proc/self/status. */
export async function readSelfRssMb(procRoot = '/proc'): Promise<number | null> {
  const text = await readFile(join(procRoot, 'self', 'status'), 'utf8').catch(() => undefined);
  return text === undefined ? null : (parseVmRssMb(text) ?? null);
}
