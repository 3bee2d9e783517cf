import type { FrozenConfig } from '../config/schema.js';
import { shippedModelPath } from '../ota/active-model.js';
import { FleetSubscriber } from '../ota/fleet-subscriber.js';
import { scheduledCheck, updateCommandHandler } from '../ota/triggers.js';
import { OtaUpdater } from '../ota/updater.js';
import type { ParleyDb } from '../storage/db.js';
import type { RootLogger } from '../util/logger.js';
import type { Engines } from './engines.js';
import type { TierSystem } from './tier-system.js';

const BUSY = new Set(['downloading', 'verifying', 'staging', 'testing', 'activating', 'rolling_back', 'committing']);

/**
 * OTA in the service: recovers an interrupted update before models load, tells the
 * supervisor which VAD file to load (the active slot, or the shipped model), records every
 * step as `event/ota`, reloads the VAD after activation or rollback, reports inference
 * crashes and healthy segments for probation, and connects the triggers (MQTT command,
 * retained fleet announcement, scheduled URL check).
 */
export class OtaWiring {
  readonly updater: OtaUpdater;
  private fleet: FleetSubscriber | undefined;

  constructor(private readonly cfg: FrozenConfig, logs: RootLogger, version: string, isSessionActive: () => boolean) {
    this.updater = new OtaUpdater({ config: cfg, parleyVersion: version, logger: logs.child('ota'), isSessionActive });
  }

  /** Finish or undo an interrupted update; returns the VAD model to load when it is not the shipped one. */
  async recover(): Promise<string | undefined> {
    await this.updater.recover();
    const active = this.updater.activeModelPath('vad');
    return active && active !== shippedModelPath(this.cfg, 'vad') ? active : undefined;
  }

  /** Connect events, probation signals and triggers once the rest of the service is up. */
  attach(d: { db: ParleyDb; engines: Engines; tiers: TierSystem | undefined; deviceId: string; notify: () => void; logs: RootLogger }): void {
    const log = d.logs.child('ota');
    this.updater.on('event', (p: Record<string, unknown>) => {
      d.db.events.append('ota', p);
      d.notify();
    });
    this.updater.on('model-changed', ({ roles }: { roles: string[] }) => {
      if (!roles.includes('vad')) return;
      const path = this.updater.activeModelPath('vad');
      if (!path) return;
      d.engines.reloadVad(path).then(
        () => log.info({ path }, 'ota.vad_reloaded'),
        (e: unknown) => log.error({ err: (e as Error).message, path }, 'ota.vad_reload_failed'),
      );
    });
    for (const host of [d.engines.vadHost, d.engines.asrHost]) host.on('restarted', () => void this.updater.reportCrash());
    const ctx = { deviceId: d.deviceId, group: this.cfg.ota.rollout_group };
    if (this.cfg.mqtt.enabled) {
      this.fleet = new FleetSubscriber({ url: this.cfg.mqtt.url, updater: this.updater, ctx, logger: log });
      this.fleet.start();
    }
    if (this.cfg.ota.check_url && d.tiers) {
      d.tiers.scheduler.registerJob('ota-check', this.cfg.ota.check_cron, async () => {
        const r = await scheduledCheck(this.updater, 'vad', ctx);
        log.info({ decision: r }, 'ota.scheduled_check');
      });
    }
  }

  commands(): Record<string, (payload: Record<string, unknown>) => Promise<unknown>> {
    return { 'models/update': updateCommandHandler(this.updater) };
  }

  /** A segment went through the pipeline without trouble (probation counts these). */
  healthy(): void {
    this.updater.reportHealthy();
  }

  busy(): boolean {
    return BUSY.has(String(this.updater.status().phase));
  }

  status(): Record<string, unknown> {
    return this.updater.status();
  }

  async stop(): Promise<void> {
    await this.fleet?.stop();
    this.updater.stop();
  }
}
