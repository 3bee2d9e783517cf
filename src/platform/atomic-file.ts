import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, promises as fsp, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Durable file replace: write `name.tmp`, fsync it, keep the old file as `name.bak`,
 * rename the tmp over the target, fsync the directory. A crash at any point leaves
 * either the old or the new content, never an empty or partial file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { backup?: boolean } = {}): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (opts.backup !== false && existsSync(path) && statSync(path).size > 0) copyFileSync(path, `${path}.bak`);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/**
 * Read a file written by writeFileAtomic. A missing or 0-byte file falls back to
 * `name.bak` (node-red's rule). Returns undefined when neither exists. Removes a stale `.tmp`.
 */
export function readFileRecovering(path: string): { data: Buffer; fromBackup: boolean } | undefined {
  const tmp = `${path}.tmp`;
  if (existsSync(tmp)) unlinkSync(tmp);
  if (existsSync(path) && statSync(path).size > 0) return { data: readFileSync(path), fromBackup: false };
  const bak = `${path}.bak`;
  if (existsSync(bak) && statSync(bak).size > 0) return { data: readFileSync(bak), fromBackup: true };
  return undefined;
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories (EINVAL/EISDIR); the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Make a fully written `part` file durable and move it over `dest`: fsync it, rename, fsync the directory. */
export async function commitPartFile(part: string, dest: string): Promise<void> {
  const fh = await fsp.open(part, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(part, dest);
  fsyncDir(dirname(dest));
}
