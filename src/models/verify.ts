/**
 * src/models/verify.ts — streamed sha256 + size check of one model file.
 *
 * Missing → ModelMissingError; empty, wrong size or wrong hash → ModelIntegrityError.
 * Both name the file and the command that fixes it. Results are cached per
 * (path, size, mtime, inode, expected hash) within the process so a reload of an unchanged
 * file does not hash it again; any change to the file invalidates the entry.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { ModelIntegrityError, ModelMissingError } from '../util/errors.js';

export interface ExpectedIdentity {
  size: number | null;
  sha256: string | null;
}

export interface VerifiedFile {
  size: number;
  sha256: string;
}

const cache = new Map<string, string>();

/** sha256 (hex) and byte count of a file, streamed in 1 MiB reads. */
export async function hashFile(path: string): Promise<VerifiedFile> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: h.digest('hex') };
}

/** Forget cached verifications (tests; after a file was replaced in place). */
export function clearVerifyCache(): void {
  cache.clear();
}

/**
 * Verify `path` against `expected`. `fix` is the command that repairs it (shown in the
 * error). A null sha256 is refused: the caller resolves pins first.
 */
export async function verifyFile(path: string, expected: ExpectedIdentity, fix: string): Promise<VerifiedFile> {
  let st: Stats;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelMissingError(path, { hint: `run ${fix} to install it`, cause: e });
    throw new ModelIntegrityError(path, `cannot be read: ${(e as Error).message}`, { cause: e, hint: `check permissions, or run ${fix}` });
  }
  const hint = `delete it and run ${fix}`;
  if (!st.isFile()) throw new ModelIntegrityError(path, 'is not a regular file', { hint });
  if (st.size === 0) throw new ModelIntegrityError(path, 'file is empty (0 bytes)', { hint });
  if (expected.size !== null && st.size !== expected.size) {
    throw new ModelIntegrityError(path, `size is ${st.size} bytes, expected ${expected.size} (truncated or wrong file)`, { hint });
  }
  if (expected.sha256 === null) {
    throw new ModelIntegrityError(path, 'no sha256 is known for this file (not in the manifest and not pinned)', {
      hint: `run ${fix} to download it from a listed source and pin its hash`,
    });
  }
  const key = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${expected.sha256}`;
  if (cache.get(path) === key) return { size: st.size, sha256: expected.sha256 };
  const got = await hashFile(path);
  if (got.sha256 !== expected.sha256) {
    cache.delete(path);
    throw new ModelIntegrityError(path, `sha256 is ${got.sha256}, expected ${expected.sha256}`, { hint });
  }
  cache.set(path, key);
  return got;
}
