/**
 * The `.bundle` container: a ustar archive whose first entry is `manifest.json`, the
 * second `signature` (base64 Ed25519), then the payload files listed in the manifest.
 *
 * Reading is two-phase so nothing is unpacked before the signature is checked:
 * `openBundle` reads only the (size-capped) manifest and signature; `extractVerified`
 * streams each payload into a staging directory while hashing it and refuses any size
 * or sha256 difference.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ManifestError } from '../util/errors.js';
import { checkSafePath, MAX_MANIFEST_BYTES, parseManifest, type BundleManifest } from './manifest.js';
import { listTar, TarFormatError, TarWriter, type TarEntry } from './tar.js';

const MAX_SIGNATURE_BYTES = 1024;
const CHUNK = 256 * 1024;

export interface OpenedBundle {
  path: string;
  manifest: BundleManifest;
  signature: string;
  entries: TarEntry[];
}

function readRange(path: string, offset: number, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, b, got, size - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Read the header part of a bundle: manifest (parsed, unverified) and signature text. */
export function openBundle(path: string): OpenedBundle {
  let listing: ReturnType<typeof listTar>;
  try {
    listing = listTar(path);
  } catch (e) {
    if (e instanceof TarFormatError) throw new ManifestError('malformed', `${path}: ${e.message}`);
    throw e;
  }
  const [m, s] = listing.entries;
  if (!m || m.name !== 'manifest.json') throw new ManifestError('malformed', `${path}: the first entry must be manifest.json`);
  if (m.size > MAX_MANIFEST_BYTES) throw new ManifestError('manifest_too_large', `manifest is ${m.size} bytes, the limit is ${MAX_MANIFEST_BYTES}`);
  if (!s || s.name !== 'signature') throw new ManifestError('malformed', `${path}: the second entry must be signature`);
  if (s.size > MAX_SIGNATURE_BYTES) throw new ManifestError('malformed', `signature entry is ${s.size} bytes`);
  const manifestBytes = readRange(path, m.dataOffset, m.size);
  if (manifestBytes.length !== m.size) throw new ManifestError('malformed', `${path}: manifest.json is cut short`);
  const manifest = parseManifest(manifestBytes);
  const signature = readRange(path, s.dataOffset, s.size).toString('utf8');
  const entries = listing.entries.slice(2);
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.type !== '0') throw new ManifestError('bad_path', `${e.name}: only regular files are allowed (tar type ${JSON.stringify(e.type)})`);
    checkSafePath(e.name, 'bundle entry');
    if (seen.has(e.name)) throw new ManifestError('malformed', `${e.name} appears twice in the bundle`);
    seen.add(e.name);
  }
  return { path, manifest, signature, entries };
}

/**
 * Stream every manifest file from the bundle into `destDir` (a staging directory),
 * checking size first and sha256 while copying. Files are fsynced. Throws
 * ManifestError(size_mismatch|hash_mismatch|malformed) on the first difference.
 */
export function extractVerified(b: OpenedBundle, destDir: string, onBytes?: (n: number) => void, bundleSize?: number): void {
  const byName = new Map(b.entries.map((e) => [e.name, e]));
  for (const e of b.entries) {
    if (!b.manifest.files.some((f) => f.path === e.name)) throw new ManifestError('malformed', `${e.name} is in the bundle but not in the manifest`);
  }
  const fd = openSync(b.path, 'r');
  try {
    for (const f of b.manifest.files) {
      const e = byName.get(f.path);
      if (!e) throw new ManifestError('size_mismatch', `${f.path} is listed in the manifest but missing from the bundle`);
      if (e.size !== f.size) throw new ManifestError('size_mismatch', `${f.path} is ${e.size} bytes in the bundle, the manifest says ${f.size}`);
      if (bundleSize !== undefined && e.dataOffset + e.size > bundleSize) throw new ManifestError('size_mismatch', `${f.path} is cut short`);
      const out = join(destDir, f.path);
      mkdirSync(dirname(out), { recursive: true });
      const ofd = openSync(out, 'wx', 0o644);
      const hash = createHash('sha256');
      const buf = Buffer.alloc(CHUNK);
      try {
        let done = 0;
        while (done < e.size) {
          const n = readSync(fd, buf, 0, Math.min(CHUNK, e.size - done), e.dataOffset + done);
          if (n === 0) throw new ManifestError('size_mismatch', `${f.path} is cut short after ${done} of ${e.size} bytes`);
          hash.update(buf.subarray(0, n));
          let w = 0;
          while (w < n) w += writeSync(ofd, buf, w, n - w);
          done += n;
          onBytes?.(n);
        }
        fsyncSync(ofd);
      } finally {
        closeSync(ofd);
      }
      const got = hash.digest('hex');
      if (got !== f.sha256) throw new ManifestError('hash_mismatch', `${f.path} has sha256 ${got.slice(0, 16)}…, the manifest says ${f.sha256.slice(0, 16)}…`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Write a bundle: manifest.json, signature, then each listed file read from srcDir. */
export function writeBundle(out: string, manifest: BundleManifest, signature: string, srcDir: string): void {
  const w = new TarWriter(out);
  try {
    w.add('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
    w.add('signature', Buffer.from(`${signature}\n`, 'utf8'));
    for (const f of manifest.files) w.add(f.path, readFileSync(join(srcDir, f.path)));
  } finally {
    w.close();
  }
}

/**
 * Manifest and signature of a remote bundle from its first bytes, without the payload:
 * fetches 64 KiB, then (if the manifest is larger) exactly the header part, capped by
 * MAX_MANIFEST_BYTES. `fetch(n)` returns the first n bytes of the bundle.
 */
export async function readRemoteHead(fetch: (n: number) => Promise<Buffer>, scratchFile: string): Promise<OpenedBundle> {
  let head = await fetch(64 * 1024);
  if (head.length >= 512) {
    const size = parseInt(head.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    if (size > MAX_MANIFEST_BYTES) throw new ManifestError('manifest_too_large', `manifest is ${size} bytes, the limit is ${MAX_MANIFEST_BYTES}`);
    const need = 512 + size + 512 + 512 + MAX_SIGNATURE_BYTES + 512;
    if (Number.isFinite(need) && need > head.length) head = await fetch(need);
  }
  writeFileSync(scratchFile, head);
  try {
    return openBundle(scratchFile);
  } finally {
    rmSync(scratchFile, { force: true });
  }
}
