/**
 * One-shot broker reachability check for `parley doctor`: connect with the configured
 * URL, credentials and TLS (no last will, a throwaway client id), then disconnect.
 * Never throws; returns ok/detail for the doctor table.
 */
import mqtt from 'mqtt';
import type { FrozenConfig } from '../config/schema.js';
import { buildClientOptions } from './client-options.js';
import { Topics } from './topics.js';

export interface BrokerCheck {
  ok: boolean;
  detail: string;
  connectMs?: number;
}

export async function checkBroker(cfg: FrozenConfig['mqtt'], deviceId: string, timeoutMs = 3000): Promise<BrokerCheck> {
  let opts;
  try {
    opts = buildClientOptions(cfg, new Topics(cfg.base_topic, deviceId));
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
  const t0 = performance.now();
  const client = mqtt.connect(cfg.url, {
    ...opts, will: undefined, clientId: `parley-doctor-${process.pid}`, clean: true, connectTimeout: timeoutMs, reconnectPeriod: 0,
  });
  return new Promise<BrokerCheck>((resolve) => {
    const finish = (r: BrokerCheck) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: `no CONNACK from ${cfg.url} within ${timeoutMs} ms` }), timeoutMs);
    client.once('connect', () => finish({ ok: true, detail: `connected to ${cfg.url}`, connectMs: Math.round(performance.now() - t0) }));
    client.once('error', (e) => finish({ ok: false, detail: `${cfg.url}: ${e.message}` }));
    client.once('close', () => finish({ ok: false, detail: `${cfg.url}: connection closed before CONNACK (broker down or refused)` }));
  });
}
