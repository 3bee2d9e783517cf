/**
 * src/supervisor/tier-runtime.ts: glue between the Monitor and the TierController for the
 * supervisor: every sample goes through the controller; a change is logged as `tier.changed`
 * (warn when worsening, info when recovering) with the reason and the key readings, then
 * handed to `onChange` (the supervisor applies the actions, stores the event, publishes it).
 */
import type { Monitor } from '../monitor/monitor.js';
import type { Readings } from '../monitor/readings.js';
import type { Logger } from '../util/logger.js';
import { TIERS, TierController, type TierActions, type TierChange } from './tiers.js';

export interface TierRuntimeOptions {
  monitor: Monitor;
  controller: TierController;
  log?: Logger;
  onChange: (change: TierChange, actions: TierActions) => void;
}

/** The readings worth carrying in a `tier.changed` log line or event (no per-zone detail). */
export function keyReadings(r: Readings): Record<string, number | boolean | null> {
  return {
    maxTempC: r.maxTempC, memAvailableMb: r.memAvailableMb === null ? null : Math.round(r.memAvailableMb),
    memAvailablePct: r.memAvailablePct === null ? null : Math.round(r.memAvailablePct * 10) / 10,
    diskFreeMb: r.diskFreeMb === null ? null : Math.round(r.diskFreeMb), rssMb: r.rssMb === null ? null : Math.round(r.rssMb),
    rtf: r.pipeline?.rtf ?? null, queueDurationMs: r.pipeline?.queueDurationMs ?? null,
    throttled: r.throttle ? r.throttle.throttledNow || r.throttle.softTempLimitNow : null, inferenceDegraded: r.inferenceDegraded,
  };
}

export function startTierRuntime(o: TierRuntimeOptions): void {
  o.monitor.onReadings((r) => {
    const change = o.controller.update(r, r.atMonoMs);
    if (!change) return;
    const worse = TIERS.indexOf(change.to) > TIERS.indexOf(change.from);
    const fields = { from: change.from, to: change.to, reason: change.reason, readings: keyReadings(r) };
    if (worse) o.log?.warn(fields, 'tier.changed');
    else o.log?.info(fields, 'tier.changed');
    o.onChange(change, o.controller.actions());
  });
}
