/**
 * src/supervisor/tiers.ts: the degradation ladder normal → reduced → minimal → paused.
 * Pure: time comes in as `nowMonoMs`, readings as data; the supervisor applies the
 * actions. Invariants:
 *  - worsening needs the entry threshold crossed on every sample for `enter_confirm_s`
 *    (a single noisy sample cannot move the tier); it jumps straight to the worst tier
 *    demanded throughout that window;
 *  - improving needs every exit threshold passed for `exit_confirm_s` AND `dwell_s` in
 *    the current tier, and goes one step at a time (each step re-arms both timers).
 */
import type { Readings } from '../monitor/readings.js';
import { demandedTier, tierRank, TIERS, type TierActions, type TierName, type TiersConfig } from './tier-rules.js';

export { TIERS, type TierActions, type TierName, type TiersConfig } from './tier-rules.js';

export interface TierChange {
  from: TierName;
  to: TierName;
  reason: string;
  readings: Readings;
  atMonoMs: number;
}

export interface TierSnapshot {
  tier: TierName;
  sinceMonoMs: number;
  lastReason: string;
  actions: TierActions;
  changes: number;
}

export class TierController {
  private tier: TierName;
  private enteredAtMs: number;
  private lastReason = 'start';
  private changes = 0;
  /** Start of the current run of samples demanding a worse tier, and the least-bad tier demanded during it. */
  private pressure: { sinceMs: number; minTier: TierName; reason: string } | undefined;
  /** Start of the current run of samples below every exit threshold of the current tier. */
  private healthySinceMs: number | undefined;

  constructor(private readonly cfg: TiersConfig, startMonoMs = 0, initial: TierName = 'normal') {
    this.tier = initial;
    this.enteredAtMs = startMonoMs;
  }

  current(): TierName {
    return this.tier;
  }

  actions(tier: TierName = this.tier): TierActions {
    return this.cfg.actions[tier];
  }

  snapshot(): TierSnapshot {
    return { tier: this.tier, sinceMonoMs: this.enteredAtMs, lastReason: this.lastReason, actions: this.actions(), changes: this.changes };
  }

  /** Feed one sample; returns the change when the tier moves. Samples must come in time order. */
  update(readings: Readings, nowMonoMs: number): TierChange | undefined {
    if (!this.cfg.enabled) return this.tier === 'normal' ? undefined : this.move('normal', 'tiers disabled', readings, nowMonoMs);
    const cur = tierRank(this.tier);
    const enter = demandedTier(this.cfg, readings, 'enter');
    if (tierRank(enter.tier) > cur) {
      this.healthySinceMs = undefined;
      if (!this.pressure) this.pressure = { sinceMs: nowMonoMs, minTier: enter.tier, reason: enter.reason };
      else if (tierRank(enter.tier) < tierRank(this.pressure.minTier)) this.pressure = { ...this.pressure, minTier: enter.tier, reason: enter.reason };
      if (nowMonoMs - this.pressure.sinceMs >= this.cfg.enter_confirm_s * 1000) {
        const p = this.pressure;
        return this.move(p.minTier, p.reason, readings, nowMonoMs);
      }
      return undefined;
    }
    this.pressure = undefined;
    if (cur === 0) return undefined;
    const stay = demandedTier(this.cfg, readings, 'stay');
    if (tierRank(stay.tier) >= cur) {
      this.healthySinceMs = undefined;
      return undefined;
    }
    this.healthySinceMs ??= nowMonoMs;
    const confirmed = nowMonoMs - this.healthySinceMs >= this.cfg.exit_confirm_s * 1000;
    const dwelt = nowMonoMs - this.enteredAtMs >= this.cfg.dwell_s * 1000;
    if (!confirmed || !dwelt) return undefined;
    const to = TIERS[cur - 1] as TierName;
    return this.move(to, `recovered: below every ${this.tier}.exit threshold for ${this.cfg.exit_confirm_s} s`, readings, nowMonoMs);
  }

  private move(to: TierName, reason: string, readings: Readings, nowMonoMs: number): TierChange {
    const change: TierChange = { from: this.tier, to, reason, readings, atMonoMs: nowMonoMs };
    this.tier = to;
    this.enteredAtMs = nowMonoMs;
    this.lastReason = reason;
    this.changes++;
    this.pressure = undefined;
    this.healthySinceMs = undefined;
    return change;
  }
}
