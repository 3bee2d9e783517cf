/**
 * HTTP(S) download of a bundle into `<dest>.part` with resume (Range), an idle timeout,
 * a size cap and progress callbacks; renamed to `dest` when complete. A server that
 * ignores Range (200 instead of 206) restarts the file from zero.
 */
import { createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { AppError } from '../util/errors.js';

export interface BundleDownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  onProgress?: (doneBytes: number, totalBytes: number | undefined) => void;
  /** Called once after the first chunk of this attempt is on disk (fault hooks). */
  onFirstChunk?: () => Promise<void>;
  signal?: AbortSignal;
}

function request(url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, signal, timeout: timeoutMs }, resolve);
    req.on('timeout', () => req.destroy(new AppError('DOWNLOAD', `no response from ${url} within ${timeoutMs} ms`, { retryable: true })));
    req.on('error', (e) => reject(e instanceof AppError ? e : new AppError('DOWNLOAD', `${url}: ${e.message}`, { retryable: true, cause: e })));
  });
}

export async function downloadBundle(url: string, dest: string, opts: BundleDownloadOptions): Promise<number> {
  if (!/^https?:\/\//.test(url)) throw new AppError('USAGE', `not an http(s) URL: ${url}`);
  const part = `${dest}.part`;
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have > opts.maxBytes) {
    unlinkSync(part);
    have = 0;
  }
  const res = await request(url, have > 0 ? { range: `bytes=${have}-` } : {}, opts.timeoutMs, opts.signal);
  if (res.statusCode === 416 && have > 0) {
    res.resume();
    unlinkSync(part);
    return downloadBundle(url, dest, opts);
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    res.resume();
    throw new AppError('DOWNLOAD', `${url}: HTTP ${res.statusCode}`, { retryable: (res.statusCode ?? 0) >= 500 });
  }
  if (res.statusCode === 200) have = 0;
  const len = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(len) ? have + len : undefined;
  if (total !== undefined && total > opts.maxBytes) {
    res.destroy();
    throw new AppError('DOWNLOAD', `${url} is ${total} bytes, over ota.max_bundle_bytes ${opts.maxBytes}`);
  }
  const out = createWriteStream(part, { flags: have > 0 ? 'a' : 'w' });
  let done = have;
  let first = true;
  try {
    await new Promise<void>((resolve, reject) => {
      res.setTimeout(opts.timeoutMs, () => res.destroy(new AppError('DOWNLOAD', `download of ${url} stalled for ${opts.timeoutMs} ms`, { retryable: true })));
      res.on('data', (chunk: Buffer) => {
        done += chunk.length;
        if (done > opts.maxBytes) {
          res.destroy(new AppError('DOWNLOAD', `${url} exceeds ota.max_bundle_bytes ${opts.maxBytes}`));
          return;
        }
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
        opts.onProgress?.(done, total);
        if (first && opts.onFirstChunk) {
          first = false;
          res.pause();
          void new Promise<void>((r) => out.write(Buffer.alloc(0), () => r())).then(() => opts.onFirstChunk!()).then(() => res.resume(), reject);
        }
      });
      res.on('error', (e) => reject(e instanceof AppError ? e : new AppError('DOWNLOAD', `${url}: ${e.message} after ${done} bytes (will resume)`, { retryable: true, cause: e })));
      res.on('end', () => (total !== undefined && done !== total ? reject(new AppError('DOWNLOAD', `${url} ended after ${done} of ${total} bytes`, { retryable: true })) : resolve()));
      out.on('error', (e) => reject(e));
      res.on('aborted', () => reject(new AppError('DOWNLOAD', `${url}: connection dropped after ${done} bytes (will resume)`, { retryable: true })));
    });
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
  renameSync(part, dest);
  return done;
}

/**
 * GET the first `bytes` bytes of a URL (Range; a server that ignores Range is cut off
 * after `bytes`). Used to read a remote bundle's manifest and signature — the first two
 * tar entries — and refuse it before downloading the payload.
 */
export function fetchHead(url: string, bytes: number, timeoutMs: number): Promise<Buffer> {
  return request(url, { range: `bytes=0-${bytes - 1}` }, timeoutMs).then((res) => new Promise<Buffer>((resolve, reject) => {
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      res.resume();
      reject(new AppError('DOWNLOAD', `${url}: HTTP ${res.statusCode}`, { retryable: (res.statusCode ?? 0) >= 500 }));
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    const finish = (): void => resolve(Buffer.concat(chunks).subarray(0, bytes));
    res.setTimeout(timeoutMs, () => res.destroy(new AppError('DOWNLOAD', `${url}: stalled for ${timeoutMs} ms`, { retryable: true })));
    res.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n >= bytes) {
        res.destroy();
        finish();
      }
    });
    res.on('end', finish);
    res.on('error', (e) => (n >= bytes ? finish() : reject(new AppError('DOWNLOAD', `${url}: ${e.message}`, { retryable: true }))));
  }));
}
