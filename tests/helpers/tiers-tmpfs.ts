/** A real small tmpfs for disk-budget tests (needs root). Always unmount in finally. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function mountTmpfs(sizeMb: number): { dir: string; unmount(): void } {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and must run as root (mount -t tmpfs)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmdirSync(dir);
    },
  };
}
