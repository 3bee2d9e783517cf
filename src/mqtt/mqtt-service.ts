/**
 * parley's MQTT side: availability (retained, LWT offline), retained status, events
 * drained from the SQLite outbox (QoS 1, marked delivered on PUBACK), commands with
 * request/response, replay, Home Assistant discovery.
 *
 * Connection policy: `start()` never blocks and never fails because the broker is
 * absent; one fresh MQTT.js client per connection attempt (automatic reconnect off),
 * reconnect after a jittered exponential backoff (`reconnect_min_ms`..`_max_ms`).
 * On every connect: `online` (retained), subscriptions, discovery, status, then the
 * outbox drain restarts from the oldest undelivered event.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { FrozenConfig } from '../config/schema.js';
import type { ParleyDb } from '../storage/db.js';
import type { OutboxRow } from '../storage/outbox-repo.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { Backoff } from '../util/backoff.js';
import { buildClientOptions } from './client-options.js';
import { CommandRouter, type CommandHandlers } from './command-router.js';
import { discoveryMessage } from './discovery.js';
import { OutboxPublisher } from './outbox-publisher.js';
import type { StatusPayload } from './payloads.js';
import { Topics } from './topics.js';

export type { CommandHandlers } from './command-router.js';

export interface MqttServiceOptions {
  cfg: FrozenConfig['mqtt'];
  deviceId: string;
  db: ParleyDb;
  logger: Logger;
  /** Body of the retained status message (the service adds `mqtt` and `ts_wall`). */
  status: () => object;
  /** 'session/start', 'session/stop', 'mute', 'unmute', 'status' from the supervisor; 'replay' and 'mute/set' are built in. */
  commands: CommandHandlers;
  version: string;
  /** Called on every PUBACK of a stored event (metrics, benchmarks). Must not throw. */
  onDelivered?: (seq: number) => void;
}

export interface MqttStats {
  connected: boolean;
  pending: number;
  dropped: number;
  lastPubackMs?: number;
  reconnects: number;
}

export class MqttService {
  readonly topics: Topics;
  private readonly cfg: FrozenConfig['mqtt'];
  private readonly log: Logger;
  private readonly publisher: OutboxPublisher;
  private readonly router: CommandRouter;
  private readonly backoff: Backoff;
  private client: MqttClient | undefined;
  private connected = false;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private reconnects = 0;
  private lastSegment: { text: string | null; speaker: string | null } | undefined;
  private readonly haStatusTopic: string;

  constructor(private readonly opts: MqttServiceOptions) {
    this.cfg = opts.cfg;
    this.log = opts.logger;
    this.topics = new Topics(opts.cfg.base_topic, opts.deviceId);
    this.haStatusTopic = `${opts.cfg.homeassistant.discovery_prefix.replace(/\/+$/, '')}/status`;
    opts.db.outbox.configure({
      maxRows: opts.cfg.outbox.max_rows, maxBytes: opts.cfg.outbox.max_bytes, keepDeliveredMs: opts.cfg.outbox.keep_delivered_s * 1000,
    });
    this.publisher = new OutboxPublisher(opts.db.outbox, this.topics, opts.cfg.max_inflight, this.log, (row) => this.observe(row), opts.onDelivered);
    this.backoff = new Backoff(opts.cfg.reconnect_min_ms, opts.cfg.reconnect_max_ms);
    this.router = new CommandRouter(this.builtinCommands(opts.commands), opts.cfg.max_command_bytes);
  }

  private builtinCommands(user: CommandHandlers): CommandHandlers {
    const h: CommandHandlers = { ...user };
    h.replay = async (p) => {
      const from = p.from_seq;
      const to = p.to_seq ?? Number.MAX_SAFE_INTEGER;
      if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || typeof to !== 'number' || !Number.isInteger(to) || to < from) {
        throw new AppError('USAGE', 'replay needs an integer from_seq >= 0 (and optional to_seq >= from_seq)');
      }
      const r = this.publisher.replay(from, to, this.cfg.replay_max_events);
      this.log.info({ fromSeq: from, count: r.count, truncated: r.truncated }, 'mqtt.replay');
      return r;
    };
    if (user.mute && user.unmute) {
      const mute = user.mute;
      const unmute = user.unmute;
      h['mute/set'] = async (p) => {
        if (typeof p.muted !== 'boolean') throw new AppError('USAGE', 'mute/set needs {"muted": true|false}');
        return p.muted ? mute(p) : unmute(p);
      };
    }
    if (!h.status) h.status = async () => this.statusBody();
    return h;
  }

  /** Connect in the background; returns at once. Missing credential/TLS files throw ConfigError here. */
  start(): void {
    if (!this.stopped) return;
    buildClientOptions(this.cfg, this.topics); // validate files before going async
    this.stopped = false;
    if (this.cfg.status_interval_s > 0) {
      this.statusTimer = setInterval(() => this.publishStatus(), this.cfg.status_interval_s * 1000);
      this.statusTimer.unref();
    }
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const c = mqtt.connect(this.cfg.url, buildClientOptions(this.cfg, this.topics));
    this.client = c;
    let closed = false;
    c.on('connect', () => {
      if (this.client !== c) return;
      this.onConnect(c);
    });
    c.on('message', (topic, payload) => {
      if (this.client !== c) return;
      this.onMessage(c, topic, payload);
    });
    c.on('error', (e) => this.log.warn({ err: e.message, url: this.cfg.url }, 'mqtt.error'));
    c.on('close', () => {
      if (closed) return;
      closed = true;
      if (this.client !== c) return;
      const was = this.connected;
      this.connected = false;
      this.publisher.detach();
      c.end(true);
      this.client = undefined;
      if (this.stopped) return;
      const delayMs = this.backoff.next();
      this.log.info({ wasConnected: was, delayMs, attempt: this.backoff.attempts }, was ? 'mqtt.disconnected' : 'mqtt.connect_failed');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.reconnects++;
        this.connect();
      }, delayMs);
    });
  }

  private onConnect(c: MqttClient): void {
    this.connected = true;
    this.backoff.reset();
    this.log.info({ url: this.cfg.url, root: this.topics.root }, 'mqtt.connected');
    c.publish(this.topics.availability, 'online', { qos: 1, retain: true });
    const subs: Record<string, { qos: 0 | 1 }> = { [this.topics.commandFilter]: { qos: 1 } };
    if (this.cfg.homeassistant.enabled) subs[this.haStatusTopic] = { qos: 1 };
    c.subscribe(subs, (err) => {
      if (err) this.log.warn({ err: err.message }, 'mqtt.subscribe_failed');
    });
    this.publishDiscovery();
    this.publishStatus();
    this.publisher.attach((topic, payload, o, cb) => c.publish(topic, payload, o, cb));
  }

  private onMessage(c: MqttClient, topic: string, payload: Buffer): void {
    try {
      if (topic === this.haStatusTopic) {
        if (payload.toString('utf8').trim() === 'online') {
          this.log.info('mqtt.homeassistant_online');
          c.publish(this.topics.availability, 'online', { qos: 1, retain: true });
          this.publishDiscovery();
          this.publishStatus();
        }
        return;
      }
      const name = this.topics.commandName(topic);
      if (name === undefined) return;
      void this.router.handle(name, payload).then((res) => {
        this.log.info({ command: name.slice(0, 100), ok: res.ok, code: res.error?.code }, 'mqtt.command');
        if (this.client === c && this.connected) {
          c.publish(this.topics.response(name), JSON.stringify(res), { qos: 1, retain: false });
        }
        if (res.ok && name !== 'replay' && name !== 'status') this.publishStatus();
      });
    } catch (e) {
      this.log.error({ err: e, topic }, 'mqtt.message_failed');
    }
  }

  private observe(row: OutboxRow): void {
    if (row.kind !== 'segment') return;
    try {
      const p = JSON.parse(row.payload_json) as { text?: string | null; speaker?: string | null };
      this.lastSegment = { text: p.text ?? null, speaker: p.speaker ?? null };
    } catch {
      // The row was written by JSON.stringify; unreachable unless the DB was edited by hand.
    }
  }

  private statusBody(): StatusPayload {
    let body: object = {};
    try {
      body = this.opts.status();
    } catch (e) {
      this.log.warn({ err: e }, 'mqtt.status_provider_failed');
    }
    const st = this.opts.db.outbox.stats();
    return {
      last_transcript: this.lastSegment?.text ?? null,
      last_speaker: this.lastSegment?.speaker ?? null,
      version: this.opts.version,
      ...body,
      mqtt: { pending: st.pending, dropped: st.dropped, last_seq: st.lastSeq },
      ts_wall: new Date().toISOString(),
    };
  }

  /** Wake the outbox drainer after new rows were committed. */
  notifyOutbox(): void {
    this.publisher.notify();
  }

  /** Live text on event/partial (QoS 0, not stored; dropped while disconnected). */
  publishPartial(payload: object): void {
    if (!this.connected || !this.client) return;
    this.client.publish(this.topics.event('partial'), JSON.stringify({ ...payload, ts_wall: new Date().toISOString() }), { qos: 0, retain: false });
  }

  /** Publish the retained status now (no-op while disconnected; sent again on connect). */
  publishStatus(): void {
    if (!this.connected || !this.client) return;
    try {
      this.client.publish(this.topics.status, JSON.stringify(this.statusBody()), { qos: 1, retain: true });
    } catch (e) {
      this.log.warn({ err: e }, 'mqtt.status_failed');
    }
  }

  private publishDiscovery(): void {
    if (!this.cfg.homeassistant.enabled || !this.client) return;
    const m = discoveryMessage(this.cfg.homeassistant.discovery_prefix, this.topics, this.opts.version);
    this.client.publish(m.topic, m.payload, { qos: 1, retain: true });
  }

  /** Wait until every stored event is PUBACKed or timeoutMs passes. */
  async drain(timeoutMs: number): Promise<{ pending: number }> {
    this.publisher.notify();
    return { pending: await this.publisher.waitDrained(timeoutMs) };
  }

  /** Publish `offline` (retained), then disconnect. Bounded by ~3 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.reconnectTimer = undefined;
    this.statusTimer = undefined;
    const c = this.client;
    this.client = undefined;
    if (!c) {
      this.publisher.close();
      return;
    }
    if (this.connected) {
      await withTimeout(new Promise<void>((resolve) => {
        c.publish(this.topics.availability, 'offline', { qos: 1, retain: true }, () => resolve());
      }), 2000);
      this.connected = false;
      await withTimeout(c.endAsync(), 1000).catch(() => undefined);
    }
    this.connected = false;
    this.publisher.close();
    c.end(true);
    this.log.info('mqtt.stopped');
  }

  stats(): MqttStats {
    const st = this.opts.db.outbox.stats();
    return { connected: this.connected, pending: st.pending, dropped: st.dropped, lastPubackMs: this.publisher.lastPubackMs, reconnects: this.reconnects };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
