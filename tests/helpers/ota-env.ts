/** Shared setup for OTA integration/fault tests: config, data-dir snapshots, a Range-capable HTTP server. */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, relative } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import type { FrozenConfig } from '../../src/config/schema.js';
import { OtaUpdater } from '../../src/ota/updater.js';
import { silentLogger } from '../../src/util/logger.js';
import type { TestKey } from './ota-bundles.js';

export function otaConfig(dataDir: string, keys: TestKey[], over: Record<string, unknown> = {}): FrozenConfig {
  return defaultConfig({
    device: { class: 'rpi5' },
    ota: { data_dir: dataDir, trusted_keys: keys.map((k) => k.trusted), probation_minutes: 0, golden_timeout_ms: 60000, ...over },
  });
}

export function updater(cfg: FrozenConfig, extra: Partial<ConstructorParameters<typeof OtaUpdater>[0]> = {}): OtaUpdater {
  return new OtaUpdater({ config: cfg, parleyVersion: '0.1.0', logger: silentLogger().root, ...extra });
}

/** Every file under dir (relative path → sha256), except the given relative paths/prefixes. */
export function snapshot(dir: string, ignore: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const rel = relative(dir, p);
      if (ignore.some((i) => rel === i || rel.startsWith(`${i}`))) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export interface FileServer {
  url: string;
  server: Server;
  rangeRequests: string[];
  /** Every requested path, in order. */
  requests: string[];
  /** Cut the next response for this path after N bytes (simulates a dropped link). */
  cutNext: Map<string, number>;
  close(): Promise<void>;
}

/** Serve files from dir with Range support on 127.0.0.1:<random port>. */
export async function serveDir(dir: string): Promise<FileServer> {
  const rangeRequests: string[] = [];
  const requests: string[] = [];
  const cutNext = new Map<string, number>();
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    const file = join(dir, name);
    requests.push(name);
    if (name.includes('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const size = statSync(file).size;
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      rangeRequests.push(`${name}:${req.headers.range}`);
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
      if (start >= size) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
    } else {
      res.writeHead(200, { 'content-length': size });
    }
    if (range?.[2]) {
      createReadStream(file, { start, end }).pipe(res); // bounded (manifest head) reads are never cut
      return;
    }
    const cut = cutNext.get(name);
    if (cut !== undefined) {
      cutNext.delete(name);
      createReadStream(file, { start, end: start + cut - 1 }).on('end', () => setTimeout(() => res.destroy(), 50)).pipe(res, { end: false });
      return;
    }
    createReadStream(file, { start }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`, server, rangeRequests, requests, cutNext,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
