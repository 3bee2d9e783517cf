/**
 * Monotonic timestamps for stored events. `monoMs()` reads CLOCK_MONOTONIC through
 * `process.hrtime` (ms since boot on Linux), so it keeps increasing across process
 * restarts within one boot. `bootId()` identifies the boot (Linux
 * /proc/sys/kernel/random/boot_id); a consumer that sees a new boot id knows the
 * monotonic clock was reset. Without a kernel boot id a random per-process id is used.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

let cachedBootId: string | undefined;

export function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || randomUUID();
    } catch {
      // Not Linux (or /proc hidden): a process-lifetime id is the honest fallback.
      cachedBootId = randomUUID();
    }
  }
  return cachedBootId;
}

export function monoMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
