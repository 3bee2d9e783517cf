/**
 * MQTT benchmarks against a private mosquitto spawned on a free port:
 *  - segment stored (SQLite commit returned, synchronous=FULL) → PUBACK latency, p50/p99;
 *  - outbox drain rate after an outage (events/s from reconnect to all PUBACKed).
 * Run alone: node --import tsx scripts/bench/mqtt.ts   (prints the rows as JSON)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConfig } from '../../src/config/load.js';
import { MqttService } from '../../src/mqtt/mqtt-service.js';
import { openDatabase, type ParleyDb } from '../../src/storage/db.js';
import { silentLogger } from '../../src/util/logger.js';
import { MosquittoBroker } from '../../tests/helpers/mosquitto.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function setup(dir: string, url: string, onDelivered: (seq: number) => void) {
  const cfg = defaultConfig({ mqtt: { enabled: true, url, reconnect_min_ms: 50, reconnect_max_ms: 100, status_interval_s: 0, homeassistant: { enabled: false } } });
  const logger = silentLogger().root;
  const db = openDatabase(cfg.storage, { logger, path: join(dir, 'bench.db') });
  const service = new MqttService({ cfg: cfg.mqtt, deviceId: 'bench', db, logger, status: () => ({}), commands: {}, version: 'bench', onDelivered });
  const { sessionId } = db.sessions.start({ source: 'bench', deviceId: 'bench', wallStartMs: Date.now() });
  let start = 0;
  const insert = (db2: ParleyDb) => {
    start += 16000;
    return db2.segments.insert(sessionId, { startSample: start, endSample: start + 8000, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence', text: 'the quick brown fox jumps over the lazy dog', speaker: 'S1', confidence: 0.9 },
      { tier: 'normal', wallStartMs: Date.now(), deviceId: 'bench' }).seq;
  };
  return { db, service, insert: () => insert(db) };
}

async function latency(broker: MosquittoBroker, n: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mqtt-'));
  const stored = new Map<number, number>();
  const lat: number[] = [];
  const h = setup(dir, broker.url, (seq) => {
    const t0 = stored.get(seq);
    if (t0 !== undefined) lat.push(performance.now() - t0);
  });
  try {
    h.service.start();
    for (let i = 0; i < 100 && !h.service.stats().connected; i++) await sleep(20);
    for (let i = 0; i < n; i++) {
      const seq = h.insert();
      stored.set(seq, performance.now());
      h.service.notifyOutbox();
      await sleep(10);
    }
    await h.service.drain(10_000);
    return [
      { area: 'mqtt', metric: 'segment stored→PUBACK p50', value: +quantile(lat, 0.5).toFixed(2), unit: 'ms', note: `${lat.length} segments, local mosquitto` },
      { area: 'mqtt', metric: 'segment stored→PUBACK p95', value: +quantile(lat, 0.95).toFixed(2), unit: 'ms' },
      { area: 'mqtt', metric: 'segment stored→PUBACK p99', value: +quantile(lat, 0.99).toFixed(2), unit: 'ms', target: '≤ 10 ms', note: `load average ${loadavg()[0].toFixed(1)} during the run` },
    ];
  } finally {
    await h.service.stop();
    h.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drainRate(broker: MosquittoBroker, n: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mqtt-'));
  let acked = 0;
  const h = setup(dir, broker.url, () => { acked++; });
  try {
    await broker.stop();
    h.service.start();
    // Outage: the service keeps retrying while n events are stored; RSS must stay flat.
    // First half warms up (page cache, JIT); growth is measured over the second half.
    let rss0 = 0;
    for (let b = 0; b < n; b += 500) {
      if (b === n / 2) {
        await sleep(100);
        global.gc?.();
        rss0 = process.memoryUsage().rss;
      }
      h.db.db.transaction(() => { for (let i = 0; i < 500; i++) h.insert(); })();
      h.service.notifyOutbox();
      await sleep(5);
    }
    await sleep(300);
    global.gc?.();
    const rssGrowthMb = (process.memoryUsage().rss - rss0) / 1048576;
    await broker.startAgain();
    for (let i = 0; i < 500 && !h.service.stats().connected; i++) await sleep(5);
    const t0 = performance.now();
    const r = await h.service.drain(60_000);
    const s = (performance.now() - t0) / 1000;
    return [
      { area: 'mqtt', metric: 'outbox drain rate after outage', value: Math.round((n + 1) / s), unit: 'events/s', note: `${n + 1} events, ${r.pending} left, in-flight window 32, synchronous=FULL` },
      { area: 'mqtt', metric: 'RSS growth while storing events during an outage', value: +rssGrowthMb.toFixed(1), unit: 'MB', note: `over the second ${n / 2} of ${n} events stored while the broker was down (run with --expose-gc for a cleaner figure)` },
    ];
  } finally {
    await h.service.stop();
    h.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const broker = await MosquittoBroker.start();
  try {
    return [...await latency(broker, 300), ...await drainRate(broker, 20000)];
  } finally {
    await broker.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then((rows) => {
    for (const r of rows) console.log(JSON.stringify(r));
  }, (e) => {
    console.error(e);
    process.exit(1);
  });
}
