/**
 * Builds an MqttService for tests against a temp DB: fast reconnects, small keepalive.
 *   const h = makeService(dbPath, url, { deviceId, mqtt: {...overrides}, commands });
 *   h.service, h.db, h.addSegments(n) (inserts n segments + notifies), h.close()
 */
import { defaultConfig } from '../../src/config/load.js';
import { MqttService, type CommandHandlers } from '../../src/mqtt/mqtt-service.js';
import { openDatabase, type ParleyDb } from '../../src/storage/db.js';
import { silentLogger } from '../../src/util/logger.js';

export interface ServiceHarness {
  service: MqttService;
  db: ParleyDb;
  sessionId: string;
  addSegments(n: number): number[];
  close(): Promise<void>;
}

let nextStart = 0;

export function makeService(dbPath: string, url: string, o: {
  deviceId?: string; mqtt?: Record<string, unknown>; commands?: CommandHandlers; status?: () => object; logger?: import('pino').Logger;
} = {}): ServiceHarness {
  const cfg = defaultConfig({
    storage: { synchronous: 'NORMAL' },
    mqtt: { enabled: true, url, reconnect_min_ms: 100, reconnect_max_ms: 400, keepalive_s: 5, status_interval_s: 0, ...(o.mqtt ?? {}) },
  });
  const logger = o.logger ?? silentLogger().root;
  const db = openDatabase(cfg.storage, { logger, path: dbPath });
  const deviceId = o.deviceId ?? 'dev1';
  const sessionId = db.sessions.active() ?? db.sessions.start({ source: 'test', deviceId, wallStartMs: Date.now() }).sessionId;
  const service = new MqttService({
    cfg: cfg.mqtt, deviceId, db, logger, status: o.status ?? (() => ({ tier: 'normal', muted: false })), commands: o.commands ?? {}, version: '0.0.0-test',
  });
  return {
    service, db, sessionId,
    addSegments(n: number): number[] {
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = (nextStart += 16000) + Math.floor(Math.random() * 1e9) * 16000;
        seqs.push(db.segments.insert(sessionId, { startSample: s, endSample: s + 8000, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence', text: `t${i}`, speaker: 'S1' },
          { tier: 'normal', wallStartMs: Date.now(), deviceId }).seq);
      }
      service.notifyOutbox();
      return seqs;
    },
    async close() {
      await service.stop();
      db.close();
    },
  };
}
