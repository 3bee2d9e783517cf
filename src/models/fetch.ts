/**
 * src/models/fetch.ts — install a manifest bundle: for every file not already present
 * and verified, try its sources in order (npm tarball, plain URL, URL archive), verify
 * size + sha256, and install it atomically. A file whose hash the manifest does not know is
 * refused unless the caller trusts it on first use (`trustOnFirstUse`), which pins it with a
 * loud notice and a warn log. Idempotent: a verified file is skipped.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FrozenConfig } from '../config/schema.js';
import { commitPartFile } from '../platform/atomic-file.js';
import { AppError, ModelIntegrityError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { extractMember, npmPack } from './extract.js';
import { getBundle, type ManifestFile, type ModelManifest, type ModelSource } from './manifest.js';
import { expectedIdentity, fixCommand, loadConfiguredManifest } from './model-store.js';
import { modelsDir } from './paths.js';
import { readPins, writePin } from './pins.js';
import { hashFile, verifyFile } from './verify.js';

type ModelsCfg = Pick<FrozenConfig, 'models'>;

export interface FetchOptions {
  logger?: Logger;
  /** Human progress lines (the CLI and the fetch script print them on stderr). */
  onMessage?: (line: string) => void;
  onProgress?: (file: string, p: DownloadProgress) => void;
  signal?: AbortSignal;
  manifest?: ModelManifest;
  /**
   * Accept and pin whatever a source serves for files without a published sha256
   * (`--trust-on-first-use`). Without it such a first download is refused.
   */
  trustOnFirstUse?: boolean;
}

export interface FetchedFile {
  path: string;
  action: 'present' | 'fetched';
  /** Description of the source that delivered it (fetched only). */
  source?: string;
  /** True when the hash was not in the manifest and was pinned now (trust on first use). */
  pinned?: boolean;
}

/** The refusal of a first download that has no published hash (without --trust-on-first-use). */
export function unpinnedRefusal(bundle: string, path: string): AppError {
  return new AppError('MODEL_INTEGRITY', `refusing to download ${path} (bundle ${bundle}): no published sha256 is known for it, so a tampered file could not be told apart`, {
    hint: `check the file's identity upstream and add size + sha256 to models/manifest.json, or accept whatever the source serves now with \`parley models fetch ${bundle} --trust-on-first-use\` (the hash is pinned and shown by \`parley models list\`)`,
  });
}

export function describeSource(s: ModelSource): string {
  if (s.type === 'npm') return `npm ${s.package}@${s.version}:${s.path}`;
  return s.archive ? `${s.url} [${s.archive.path}]` : s.url;
}

/** Fetch every missing or corrupt file of bundle `name`. */
export async function fetchBundle(cfg: ModelsCfg, name: string, opts: FetchOptions = {}): Promise<FetchedFile[]> {
  const manifest = opts.manifest ?? loadConfiguredManifest(cfg);
  const bundle = getBundle(manifest, name);
  const dir = modelsDir(cfg);
  await fsp.mkdir(dir, { recursive: true });
  const work = join(tmpdir(), `parley-fetch-${process.pid}-${randomBytes(4).toString('hex')}`);
  const archives = new Map<string, Promise<string>>();
  const out: FetchedFile[] = [];
  const pins = readPins(dir);
  // Refused before anything is downloaded, so a refusal never leaves half a bundle.
  const refused = bundle.files.find((f) => expectedIdentity(f, pins).sha256 === null && !opts.trustOnFirstUse);
  if (refused) {
    opts.logger?.warn({ file: refused.path, bundle: name }, 'models.unpinned_refused');
    throw unpinnedRefusal(name, refused.path);
  }
  try {
    for (const f of bundle.files) {
      const dest = join(dir, f.path);
      const id = expectedIdentity(f, readPins(dir));
      try {
        await verifyFile(dest, id, fixCommand(name));
        opts.onMessage?.(`${f.path}: present and verified`);
        out.push({ path: f.path, action: 'present' });
        continue;
      } catch (e) {
        const code = (e as AppError).code;
        if (code !== 'MODEL_MISSING' && code !== 'MODEL_INTEGRITY') throw e;
        if (code === 'MODEL_INTEGRITY' && id.sha256 !== null) {
          opts.logger?.warn({ file: dest, err: (e as Error).message }, 'models.corrupt_replaced');
          opts.onMessage?.(`${f.path}: ${(e as Error).message}; fetching it again`);
          await fsp.rm(dest, { force: true });
        } else if (code === 'MODEL_INTEGRITY') {
          await fsp.rm(dest, { force: true });
        }
      }
      out.push(await fetchFile(cfg, name, f, dest, id, work, archives, opts));
    }
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
  return out;
}

async function fetchFile(
  cfg: ModelsCfg, bundleName: string, f: ManifestFile, dest: string, id: { size: number | null; sha256: string | null },
  work: string, archives: Map<string, Promise<string>>, opts: FetchOptions,
): Promise<FetchedFile> {
  const failures: string[] = [];
  for (const [i, s] of f.sources.entries()) {
    const desc = describeSource(s);
    opts.onMessage?.(`${f.path}: fetching from ${desc}`);
    try {
      let got: { size: number; sha256: string };
      if (s.type === 'url' && !s.archive) {
        got = await downloadFile(s.url, dest, {
          ...(id.size !== null ? { expectedSize: id.size } : {}),
          ...(id.sha256 !== null ? { sha256: id.sha256 } : {}),
          maxBytes: cfg.models.download_max_bytes, timeoutMs: cfg.models.download_timeout_ms,
          onProgress: (p) => opts.onProgress?.(f.path, p), signal: opts.signal,
        });
      } else {
        const staged = await stageFromArchive(cfg, s, join(work, `src${i}`), archives, opts, f.path);
        got = await installStaged(staged, dest, id);
      }
      const pinned = id.sha256 === null;
      if (pinned) {
        writePin(modelsDir(cfg), f.path, { size: got.size, sha256: got.sha256, pinnedAt: new Date().toISOString(), source: desc, trust: 'first-use' });
        const line = `NOTICE: ${f.path} had no published sha256; trusted on first use (--trust-on-first-use) and pinned ${got.sha256} (${got.size} bytes) from ${desc}. `
          + 'Check it against the upstream release and add it to models/manifest.json.';
        opts.logger?.warn({ file: f.path, sha256: got.sha256, sizeBytes: got.size, source: desc, bundle: bundleName }, 'models.trust_on_first_use');
        opts.onMessage?.(line);
      }
      opts.logger?.info({ file: f.path, sizeBytes: got.size, source: desc, bundle: bundleName }, 'models.fetched');
      opts.onMessage?.(`${f.path}: installed (${got.size} bytes, sha256 ${got.sha256.slice(0, 12)}…)`);
      return { path: f.path, action: 'fetched', source: desc, pinned };
    } catch (e) {
      if ((e as AppError).code === 'ABORTED' || opts.signal?.aborted) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      failures.push(`${desc}: ${msg}`);
      opts.logger?.warn({ file: f.path, source: desc, err: msg }, 'models.source_failed');
      opts.onMessage?.(`${f.path}: source failed: ${msg}`);
    }
  }
  const allUrl = f.sources.every((s) => s.type === 'url');
  throw new AppError('MODEL_FETCH', `could not fetch ${f.path} (bundle ${bundleName}) from any of ${f.sources.length} source(s): ${failures.map((f, i) => `[${i + 1}] ${f}`).join('; ')}`, {
    hint: allUrl
      ? 'this bundle is only published on the internet (GitHub / Hugging Face); run the fetch on a connected device, or copy the files into the models directory and run `parley models verify`'
      : 'check network access to the npm registry (npm config get registry) and retry',
  });
}

async function stageFromArchive(
  cfg: ModelsCfg, s: ModelSource, out: string, archives: Map<string, Promise<string>>, opts: FetchOptions, label: string,
): Promise<string> {
  if (s.type === 'npm') {
    const key = `npm:${s.package}@${s.version}`;
    let tgz = archives.get(key);
    if (!tgz) {
      tgz = npmPack(s.package, s.version, join(out, 'pack'), cfg.models.npm_timeout_ms, opts.signal);
      archives.set(key, tgz);
    }
    return extractMember(await tgz, 'tgz', s.path, join(out, 'x'), cfg.models.npm_timeout_ms);
  }
  const a = s.archive as NonNullable<typeof s.archive>;
  let file = archives.get(s.url);
  if (!file) {
    const target = join(out, 'archive');
    file = downloadFile(s.url, target, {
      maxBytes: cfg.models.download_max_bytes, timeoutMs: cfg.models.download_timeout_ms,
      onProgress: (p) => opts.onProgress?.(label, p), signal: opts.signal,
    }).then(() => target);
    archives.set(s.url, file);
  }
  return extractMember(await file, a.format, a.path, join(out, 'x'), cfg.models.npm_timeout_ms);
}

/** Verify a staged file and move it into place atomically (copy to dest.part, fsync, rename). */
async function installStaged(staged: string, dest: string, id: { size: number | null; sha256: string | null }): Promise<{ size: number; sha256: string }> {
  const got = await hashFile(staged);
  if (id.size !== null && got.size !== id.size) throw new ModelIntegrityError(dest, `source delivered ${got.size} bytes, expected ${id.size}`);
  if (id.sha256 !== null && got.sha256 !== id.sha256) throw new ModelIntegrityError(dest, `source delivered sha256 ${got.sha256}, expected ${id.sha256}`);
  await fsp.mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  await fsp.copyFile(staged, part);
  await commitPartFile(part, dest);
  return got;
}
