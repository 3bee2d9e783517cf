/** Fixture sysfs/procfs trees for the monitor and tier tests: copy a checked-in tree to a temp dir, then script it. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SYSFS_FIXTURES = fileURLToPath(new URL('../fixtures/sysfs/', import.meta.url));

export interface FixtureTree {
  root: string;
  procRoot: string;
  /** Rewrite thermal_zone<n>/temp with a temperature in °C (written as millidegrees, like the kernel). */
  setTempC(tempC: number, zone?: number): void;
  /** Rewrite proc/meminfo with the given available memory (MB) out of totalMb. */
  setMemAvailableMb(availableMb: number, totalMb?: number): void;
  setThrottled(hex: string): void;
  cleanup(): void;
}

export function fixtureTree(name: 'rpi5' | 'jetson-orin' | 'malformed'): FixtureTree {
  const root = mkdtempSync(join(tmpdir(), `parley-sysfs-${name}-`));
  cpSync(join(SYSFS_FIXTURES, name), root, { recursive: true });
  const procRoot = join(root, 'proc');
  return {
    root,
    procRoot,
    setTempC(tempC, zone = 0) {
      writeFileSync(join(root, 'class', 'thermal', `thermal_zone${zone}`, 'temp'), `${Math.round(tempC * 1000)}\n`);
    },
    setMemAvailableMb(availableMb, totalMb = 8052) {
      const kb = (mb: number) => String(Math.round(mb * 1024)).padStart(8);
      writeFileSync(join(procRoot, 'meminfo'), `MemTotal:       ${kb(totalMb)} kB\nMemFree:        ${kb(availableMb / 2)} kB\nMemAvailable:   ${kb(availableMb)} kB\nSwapTotal:        204796 kB\nSwapFree:         204796 kB\n`);
    },
    setThrottled(hex) {
      writeFileSync(join(root, 'devices', 'platform', 'soc', 'soc:firmware', 'get_throttled'), `${hex}\n`);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
