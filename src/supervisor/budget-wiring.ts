import type { FrozenConfig } from '../config/schema.js';
import type { SdNotifier } from '../platform/sd-notify.js';
import type { ParleyDb } from '../storage/db.js';
import { RetentionStore } from '../storage/retention-store.js';
import type { RootLogger } from '../util/logger.js';
import type { Engines } from './engines.js';
import type { SessionController } from './session-controller.js';
import { TierSystem } from './tier-system.js';

export interface BudgetWiringDeps {
  cfg: FrozenConfig;
  db: ParleyDb;
  logs: RootLogger;
  engines: Engines;
  sessions: () => SessionController | undefined;
  notifier: SdNotifier;
  setTier: (tier: string) => void;
  /** Something operators should see now (retained status re-publish). */
  publishStatus: () => void;
}

/**
 * Builds the TierSystem (monitor → tiers, disk budget, backlog catch-up, jobs, watchdog)
 * and connects it to sessions, storage and the inference children:
 *  - a tier change is stored as `event/tier` (with reason and readings) and applied:
 *    capture paused/resumed, ASR bundle per tier (the ASR stage reads the tier), ASR deferred
 *    to the backlog in `minimal`;
 *  - the disk reserve pauses capture with its own reason;
 *  - the watchdog is fed by capture progress and inference answers (see health.ts).
 * Catch-up runs the ASR stage only: diarization is cheap and always runs live (its
 * per-session speaker state must see segments in order).
 */
export function createTierSystem(d: BudgetWiringDeps): TierSystem {
  const log = d.logs.child('supervisor');
  const asr = d.engines.stages.filter((s) => s.name === 'asr');
  const ts: TierSystem = new TierSystem({
    cfg: d.cfg,
    db: d.db,
    logger: d.logs,
    stages: asr,
    notifier: d.notifier,
    retentionStore: new RetentionStore(d.db.db),
    onTierChange: (change, actions) => {
      d.setTier(change.to);
      d.db.events.append('tier', { from: change.from, to: change.to, reason: change.reason, readings: change.readings, actions });
      log.warn({ from: change.from, to: change.to, reason: change.reason }, 'tier.applied');
      void d.sessions()?.setPaused('tier', actions.capture ? undefined : `tier ${change.to}: ${change.reason}`);
      d.publishStatus();
    },
    onDiskCapture: (paused, reason) => {
      void d.sessions()?.setPaused('disk', paused ? `disk reserve: ${reason}` : undefined);
      d.publishStatus();
    },
    startSession: async (name) => {
      await d.sessions()?.startSession(`schedule:${name}`);
    },
    stopSession: async (name) => {
      await d.sessions()?.stopSession(`schedule:${name}`);
    },
    heartbeat: () => d.publishStatus(),
  });
  const sessionsIdle = (): boolean => {
    const s = d.sessions();
    return !s || s.captureState() !== 'recording';
  };
  ts.health.watch('capture', Math.max(2000, d.cfg.audio.stall_timeout_ms), sessionsIdle);
  for (const host of [d.engines.vadHost, d.engines.asrHost]) {
    host.on('degraded', () => ts.source.reportInference(true));
  }
  ts.health.watch('inference', d.cfg.inference.request_timeout_ms, () => d.engines.vadHost.health().pending === 0 && d.engines.asrHost.health().pending === 0);
  return ts;
}
