/**
 * Builds MQTT.js connect options from the `mqtt` config section: credentials from
 * `password_file` (never inline), TLS files, keepalive, clean session, and the
 * retained `offline` last will. Automatic reconnect is off (reconnectPeriod 0): the
 * service reconnects itself with jittered backoff, one fresh client per connection.
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { FrozenConfig } from '../config/schema.js';
import { ConfigError } from '../util/errors.js';
import type { Topics } from './topics.js';

function readFileOrThrow(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(undefined, [{ path: key, message: `cannot read ${path}: ${(e as Error).message}` }], { cause: e });
  }
}

export function buildClientOptions(cfg: FrozenConfig['mqtt'], topics: Topics): IClientOptions {
  const opts: IClientOptions = {
    clientId: cfg.client_id || `parley-${topics.deviceId}`,
    keepalive: cfg.keepalive_s,
    clean: cfg.clean_session,
    connectTimeout: cfg.connect_timeout_ms,
    reconnectPeriod: 0,
    protocolVersion: 4,
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
  };
  if (cfg.username) opts.username = cfg.username;
  if (cfg.password_file) {
    opts.password = readFileOrThrow(cfg.password_file, 'mqtt.password_file').toString('utf8').replace(/\r?\n$/, '');
  }
  if (cfg.tls.ca_file) opts.ca = readFileOrThrow(cfg.tls.ca_file, 'mqtt.tls.ca_file');
  if (cfg.tls.cert_file) opts.cert = readFileOrThrow(cfg.tls.cert_file, 'mqtt.tls.cert_file');
  if (cfg.tls.key_file) opts.key = readFileOrThrow(cfg.tls.key_file, 'mqtt.tls.key_file');
  opts.rejectUnauthorized = cfg.tls.reject_unauthorized;
  return opts;
}
