/**
 * Listens for retained fleet announcements on `parley/fleet/models/+` with its own MQTT
 * connection (no will: the device's availability belongs to MqttService) and hands each
 * one to handleFleetAnnouncement, one at a time. A retained announcement is seen again
 * on every reconnect; the version check makes that harmless.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../util/logger.js';
import { FLEET_TOPIC_PREFIX, handleFleetAnnouncement, type FleetContext, type TriggerDecision } from './triggers.js';
import type { OtaUpdater } from './updater.js';

export interface FleetSubscriberOptions {
  url: string;
  clientOptions?: IClientOptions;
  updater: OtaUpdater;
  ctx: FleetContext;
  logger: Logger;
}

/** Events: 'decision' ({ role, decision }) and 'failed' ({ role, error }); nothing is thrown. */
export class FleetSubscriber extends EventEmitter {
  private client: MqttClient | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FleetSubscriberOptions) {
    super();
  }

  start(): void {
    const c = mqtt.connect(this.opts.url, {
      clientId: `parley-${this.opts.ctx.deviceId}-ota`, reconnectPeriod: 5000, clean: true, ...this.opts.clientOptions,
    });
    this.client = c;
    c.on('connect', () => c.subscribe(`${FLEET_TOPIC_PREFIX}+`, { qos: 1 }));
    c.on('error', (e) => this.opts.logger.warn({ err: e.message }, 'ota.fleet_mqtt_error'));
    c.on('message', (topic, payload) => {
      const role = topic.slice(FLEET_TOPIC_PREFIX.length);
      if (payload.length === 0) return; // a cleared retained message
      this.chain = this.chain.then(async () => {
        try {
          const decision: TriggerDecision = await handleFleetAnnouncement(this.opts.updater, role, payload, this.opts.ctx);
          this.opts.logger.info({ role, action: decision.action, reason: decision.reason }, 'ota.fleet_announcement');
          this.emit('decision', { role, decision });
        } catch (e) {
          this.opts.logger.warn({ role, err: (e as Error).message }, 'ota.fleet_announcement_failed');
          this.emit('failed', { role, error: e });
        }
      });
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true);
    await this.chain;
  }
}
