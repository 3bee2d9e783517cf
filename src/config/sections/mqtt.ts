import { Type } from '@sinclair/typebox';
import type { SemanticCheck } from '../semantic.js';

const Tls = Type.Object(
  {
    ca_file: Type.String({ default: '', description: 'PEM CA bundle to verify the broker (empty: system CAs).' }),
    cert_file: Type.String({ default: '', description: 'PEM client certificate for mutual TLS (empty: none).' }),
    key_file: Type.String({ default: '', description: 'PEM private key for cert_file.' }),
    reject_unauthorized: Type.Boolean({ default: true, description: 'Refuse brokers whose certificate does not verify. Only turn off for testing.' }),
  },
  { additionalProperties: false, default: {}, description: 'TLS options, used with mqtts:// URLs.' },
);

const Outbox = Type.Object(
  {
    max_rows: Type.Integer({ default: 100000, minimum: 10, maximum: 10000000, description: 'Outbox bound in rows. Beyond it the oldest delivered rows are deleted, then the oldest undelivered ones (counted in status.mqtt.dropped).' }),
    max_bytes: Type.Integer({ default: 67108864, minimum: 65536, description: 'Outbox bound in payload bytes, same drop policy as max_rows.' }),
    keep_delivered_s: Type.Integer({ default: 604800, minimum: 0, description: 'Delivered events are kept this long so cmd/replay can re-send them.' }),
  },
  { additionalProperties: false, default: {}, description: 'The durable SQLite event outbox (source of truth for MQTT events).' },
);

const HomeAssistant = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Publish Home Assistant MQTT device discovery.' }),
    discovery_prefix: Type.String({ default: 'homeassistant', minLength: 1, description: 'Home Assistant discovery prefix; its <prefix>/status topic triggers a re-send.' }),
  },
  { additionalProperties: false, default: {}, description: 'Home Assistant MQTT discovery.' },
);

export const MqttSection = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Publish events and accept commands over MQTT.' }),
    url: Type.String({ default: 'mqtt://127.0.0.1:1883', pattern: '^(mqtts?|tcp|ssl)://', description: 'Broker URL (mqtt:// or mqtts://).' }),
    base_topic: Type.String({ default: 'parley', pattern: '^[^#+]+$', description: 'Topic root: <base_topic>/<device_id>/...' }),
    client_id: Type.String({ default: '', description: 'MQTT client id (empty: parley-<device_id>).' }),
    username: Type.String({ default: '', description: 'Broker user name (empty: anonymous).' }),
    password_file: Type.String({ default: '', description: 'File holding the broker password (never put the password in this file).' }),
    tls: Tls,
    keepalive_s: Type.Integer({ default: 30, minimum: 5, maximum: 3600, description: 'MQTT keepalive; the broker publishes the offline last will after about 1.5x this without traffic.' }),
    clean_session: Type.Boolean({ default: true, description: 'Start a clean MQTT session on every connect. Events do not depend on it (the SQLite outbox re-sends); false also keeps the cmd/# subscription queued at the broker.' }),
    connect_timeout_ms: Type.Integer({ default: 10000, minimum: 500, maximum: 120000, description: 'Give up one connection attempt after this long.' }),
    reconnect_min_ms: Type.Integer({ default: 1000, minimum: 50, maximum: 600000, description: 'First reconnect delay; doubles per failed attempt with jitter.' }),
    reconnect_max_ms: Type.Integer({ default: 60000, minimum: 100, maximum: 3600000, description: 'Upper bound of the reconnect delay.' }),
    max_inflight: Type.Integer({ default: 32, minimum: 1, maximum: 1000, description: 'Events published but not yet PUBACKed at once.' }),
    max_command_bytes: Type.Integer({ default: 65536, minimum: 256, maximum: 16777216, description: 'Larger command payloads get an error response without being parsed.' }),
    replay_max_events: Type.Integer({ default: 10000, minimum: 1, maximum: 1000000, description: 'Most events one cmd/replay re-sends (the response says when it was truncated).' }),
    status_interval_s: Type.Integer({ default: 60, minimum: 0, maximum: 86400, description: 'Re-publish the retained status this often (0: only on change and on connect).' }),
    outbox: Outbox,
    homeassistant: HomeAssistant,
  },
  { additionalProperties: false, default: {}, description: 'MQTT events, commands and Home Assistant discovery.' },
);

export const mqttSemanticCheck: SemanticCheck = (c) => {
  const issues = [];
  if (c.mqtt.reconnect_min_ms > c.mqtt.reconnect_max_ms) {
    issues.push({ path: 'mqtt.reconnect_min_ms', message: 'must not exceed mqtt.reconnect_max_ms' });
  }
  if ((c.mqtt.tls.cert_file === '') !== (c.mqtt.tls.key_file === '')) {
    issues.push({ path: 'mqtt.tls.cert_file', message: 'cert_file and key_file must be set together' });
  }
  return issues;
};
