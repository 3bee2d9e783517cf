/**
 * src/models/download.ts — one HTTP(S) file download with resume, a size cap, an idle
 * timeout, hash verification and an atomic install.
 *
 * Bytes go to `<dest>.part`; a later call (or the built-in retry after a dropped
 * connection) resumes it with a `Range` request. Only a complete file whose size and
 * sha256 match is fsynced and renamed over `dest`, so `dest` is never partial. Reused by
 * the OTA updater: keep the signature stable.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { commitPartFile } from '../platform/atomic-file.js';
import { AppError, ModelIntegrityError } from '../util/errors.js';

export interface DownloadProgress {
  receivedBytes: number;
  /** Total bytes when the server says so, else null. */
  totalBytes: number | null;
}

export interface DownloadOptions {
  expectedSize?: number;
  /** Lower-case hex; when given, a mismatch deletes the partial file and throws. */
  sha256?: string;
  /** Abort when the transfer would exceed this many bytes. */
  maxBytes: number;
  /** Abort when no data arrives for this long (connect included). */
  timeoutMs: number;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Further attempts (resuming) after a retryable failure. Default 3. */
  retries?: number;
  /** Delay before attempt n (1-based) in ms. Default 500·n. */
  retryDelayMs?: (attempt: number) => number;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** True when some bytes came from an earlier partial transfer. */
  resumed: boolean;
}

const MAX_REDIRECTS = 5;
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

export class DownloadError extends AppError {
  readonly url: string;
  constructor(url: string, message: string, opts: { retryable?: boolean; cause?: unknown; hint?: string } = {}) {
    super('DOWNLOAD', `download of ${url} failed: ${message}`, opts);
    this.url = url;
  }
}
DownloadError.prototype.name = 'DownloadError';

/** Download `url` to `dest` (see file header). */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const retries = opts.retries ?? 3;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await attemptOnce(url, `${dest}.part`, opts);
      resumed ||= r.resumed;
      break;
    } catch (e) {
      if (opts.signal?.aborted) throw new AppError('ABORTED', `download of ${url} aborted (partial data kept for resume)`, { cause: e });
      const retryable = e instanceof AppError && e.retryable;
      if (!retryable || attempt >= retries) throw e;
      const delay = opts.retryDelayMs ? opts.retryDelayMs(attempt + 1) : 500 * (attempt + 1);
      await sleep(delay, opts.signal);
      resumed = true;
    }
  }
  return finish(url, dest, opts, resumed);
}

async function finish(url: string, dest: string, opts: DownloadOptions, resumed: boolean): Promise<DownloadResult> {
  const part = `${dest}.part`;
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(part, { highWaterMark: 1 << 20 })) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  const sha256 = h.digest('hex');
  let problem: string | undefined;
  if (opts.expectedSize !== undefined && size !== opts.expectedSize) problem = `size is ${size} bytes, expected ${opts.expectedSize}`;
  else if (opts.sha256 !== undefined && sha256 !== opts.sha256) problem = `sha256 is ${sha256}, expected ${opts.sha256}`;
  if (problem) {
    await fsp.rm(part, { force: true });
    throw new ModelIntegrityError(dest, `downloaded from ${url}: ${problem}`, { hint: 'the source serves a different file; try another source or report it' });
  }
  await commitPartFile(part, dest);
  return { size, sha256, resumed };
}

async function partSize(part: string): Promise<number> {
  try {
    return (await fsp.stat(part)).size;
  } catch {
    return 0;
  }
}

async function attemptOnce(url: string, part: string, opts: DownloadOptions): Promise<{ resumed: boolean }> {
  await fsp.mkdir(dirname(part), { recursive: true });
  let have = await partSize(part);
  if (opts.expectedSize !== undefined && have > opts.expectedSize) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  if (opts.expectedSize !== undefined && have === opts.expectedSize) return { resumed: true };
  const res = await request(url, have, opts, 0);
  const status = res.statusCode ?? 0;
  let append = false;
  if (status === 206 && have > 0) {
    const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
    append = m !== null && Number(m[1]) === have;
    if (!append) {
      res.destroy();
      await fsp.rm(part, { force: true });
      throw new DownloadError(url, `server resumed at the wrong offset (${String(res.headers['content-range'])})`, { retryable: true });
    }
  } else if (status === 416 && have > 0) {
    // The part file already holds everything the server has (or garbage): check it as is.
    res.resume();
    return { resumed: true };
  } else if (status !== 200) {
    res.resume();
    const retryable = status >= 500 || status === 429 || status === 408;
    throw new DownloadError(url, `HTTP ${status}`, { retryable, hint: status === 404 ? 'the file is not at this URL (moved upstream?)' : undefined });
  }
  const len = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(len) ? len + (append ? have : 0) : null;
  if (total !== null && total > opts.maxBytes) {
    res.destroy();
    throw new DownloadError(url, `size ${total} bytes exceeds the cap of ${opts.maxBytes} bytes`, { hint: 'raise models.download_max_bytes if this file is expected' });
  }
  if (total !== null && opts.expectedSize !== undefined && total !== opts.expectedSize) {
    res.destroy();
    if (!append) await fsp.rm(part, { force: true });
    throw new ModelIntegrityError(part, `server announces ${total} bytes, expected ${opts.expectedSize}`, { hint: 'the source serves a different file; try another source' });
  }
  const fh = await fsp.open(part, append ? 'a' : 'w');
  let received = append ? have : 0;
  // Pending file writes; awaited before the file is closed so a failed transfer keeps
  // every byte it received (the next attempt resumes after them).
  let chain = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        reject(e);
        res.destroy();
      };
      res.setTimeout(opts.timeoutMs, () => fail(new DownloadError(url, `no data for ${opts.timeoutMs} ms after ${received} bytes`, { retryable: true })));
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        const cap = Math.min(opts.maxBytes, opts.expectedSize ?? Infinity);
        if (received > cap) {
          fail(received > opts.maxBytes
            ? new DownloadError(url, `transfer exceeds the cap of ${opts.maxBytes} bytes`, { hint: 'raise models.download_max_bytes if this file is expected' })
            : new ModelIntegrityError(part, `server sent more than the expected ${opts.expectedSize} bytes`));
          return;
        }
        res.pause();
        chain = chain.then(() => fh.write(chunk)).then(() => {
          opts.onProgress?.({ receivedBytes: received, totalBytes: total });
          res.resume();
        }, fail);
      });
      res.on('end', () => {
        chain.then(() => {
          if (!settled) {
            settled = true;
            resolve();
          }
        }, fail);
      });
      res.on('error', (e) => fail(new DownloadError(url, `connection dropped after ${received} bytes: ${e.message}`, { retryable: true, cause: e })));
      res.on('aborted', () => fail(new DownloadError(url, `connection dropped after ${received} bytes`, { retryable: true })));
      res.on('close', () => {
        if (!res.complete) fail(new DownloadError(url, `connection dropped after ${received} bytes`, { retryable: true }));
      });
    });
  } catch (e) {
    await chain.catch(() => undefined);
    if (e instanceof ModelIntegrityError || (e instanceof DownloadError && !e.retryable)) {
      await fh.close();
      await fsp.rm(part, { force: true });
      throw e;
    }
    throw e;
  } finally {
    await chain.catch(() => undefined);
    await fh.close().catch(() => undefined);
  }
  if (total !== null && received < total) throw new DownloadError(url, `connection closed after ${received} of ${total} bytes`, { retryable: true });
  return { resumed: append };
}

function request(url: string, from: number, opts: DownloadOptions, redirects: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new DownloadError(url, 'not a valid URL'));
      return;
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!lib) {
      reject(new DownloadError(url, `unsupported protocol ${u.protocol}`));
      return;
    }
    const headers: Record<string, string> = { 'user-agent': 'parley-model-fetch', accept: '*/*' };
    if (from > 0) headers.range = `bytes=${from}-`;
    const req = lib.get(u, { headers, signal: opts.signal }, (res) => {
      const s = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(s) && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new DownloadError(url, `more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        request(new URL(res.headers.location, u).toString(), from, opts, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(opts.timeoutMs, () => req.destroy(new DownloadError(url, `no response within ${opts.timeoutMs} ms`, { retryable: true })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof DownloadError) reject(e);
      else if (opts.signal?.aborted) reject(new AppError('ABORTED', `download of ${url} aborted`, { cause: e }));
      else if (e.code && OFFLINE_CODES.has(e.code)) {
        reject(new DownloadError(url, `network unreachable (${e.code}): this machine looks offline or cannot reach ${u.host}`, {
          retryable: false, cause: e, hint: 'URL sources need internet access; on an offline machine use the npm sources or copy the files in',
        }));
      } else reject(new DownloadError(url, e.message, { retryable: true, cause: e }));
    });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AppError('ABORTED', 'download aborted'));
      return;
    }
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new AppError('ABORTED', 'download aborted'));
    }, { once: true });
  });
}
