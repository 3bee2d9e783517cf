/**
 * A/B slot directories: staging a bundle into the inactive slot (temp dir + rename),
 * checking that the active slot is complete, and removing leftovers of interrupted work.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from '../platform/atomic-file.js';
import { extractVerified, type OpenedBundle } from './bundle-file.js';
import { BALLAST_NAME } from './faults.js';
import { otherSlot, type ActiveRole, type OtaPaths, type Pointer, type SlotName } from './ota-state.js';

export const STAGE_PREFIX = '.stage-';

/** Extract the bundle into `<role>/.stage-<slot>` and rename it to `<role>/<slot>`. */
export function stageRole(p: OtaPaths, b: OpenedBundle, role: string, slot: SlotName, onBytes?: (n: number) => void, bundleSize?: number): void {
  const roleDir = p.roleDir(role);
  const stage = join(roleDir, `${STAGE_PREFIX}${slot}`);
  const dest = p.slotDir(role, slot);
  rmSync(stage, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
  extractVerified(b, stage, onBytes, bundleSize);
  fsyncDir(stage);
  renameSync(stage, dest);
  fsyncDir(roleDir);
}

/** Pick the slot that is not active for this role. */
export function inactiveSlot(active: Pointer, role: string): SlotName {
  return otherSlot(active[role]?.slot);
}

/** True when the role's model file exists with the recorded size and sha256. */
export function roleIntact(p: OtaPaths, role: string, r: ActiveRole): boolean {
  const f = join(p.slotDir(role, r.slot), r.model);
  return existsSync(f) && statSync(f).size === r.size && createHash('sha256').update(readFileSync(f)).digest('hex') === r.sha256;
}

/**
 * Remove stage dirs, downloads (unless keepDownloads: a `.part` to resume after a
 * retryable network error), fault ballast and slot dirs no pointer references.
 */
export function cleanLeftovers(p: OtaPaths, keep: Pointer[], keepDownloads = false): string[] {
  const removed: string[] = [];
  const rm = (f: string): void => {
    rmSync(f, { recursive: true, force: true });
    removed.push(f);
  };
  if (!keepDownloads && existsSync(p.downloadsDir)) for (const f of readdirSync(p.downloadsDir)) rm(join(p.downloadsDir, f));
  for (const f of [join(p.dataDir, BALLAST_NAME)]) if (existsSync(f)) rm(f);
  if (existsSync(p.slotsDir)) {
    for (const role of readdirSync(p.slotsDir)) {
      const dir = p.roleDir(role);
      for (const entry of readdirSync(dir)) {
        const used = keep.some((ptr) => ptr[role]?.slot === entry);
        if (entry.startsWith(STAGE_PREFIX) || ((entry === 'a' || entry === 'b') && !used) || (entry !== 'a' && entry !== 'b')) rm(join(dir, entry));
      }
    }
  }
  return removed;
}
