/**
 * src/supervisor/tier-rules.ts: how each resource maps to a tier. A rule reads one value
 * from the readings and compares it with `tiers.<key>.<tier>.{enter,exit}`. Unknown
 * readings (`null`) never create pressure.
 */
import type { FrozenConfig } from '../config/schema.js';
import type { Readings } from '../monitor/readings.js';

export const TIERS = ['normal', 'reduced', 'minimal', 'paused'] as const;
export type TierName = (typeof TIERS)[number];
export const tierRank = (t: TierName): number => TIERS.indexOf(t);

export type TiersConfig = FrozenConfig['tiers'];
export type TierActions = TiersConfig['actions']['normal'];

export interface TierRule {
  key: 'temperature_c' | 'memory_available_mb' | 'memory_available_pct' | 'disk_free_mb' | 'rtf' | 'queue_s';
  unit: string;
  higherIsWorse: boolean;
  value(r: Readings): number | null;
}

export const TIER_RULES: readonly TierRule[] = [
  { key: 'temperature_c', unit: '°C', higherIsWorse: true, value: (r) => r.maxTempC },
  { key: 'memory_available_mb', unit: 'MB', higherIsWorse: false, value: (r) => r.memAvailableMb },
  { key: 'memory_available_pct', unit: '%', higherIsWorse: false, value: (r) => r.memAvailablePct },
  { key: 'disk_free_mb', unit: 'MB', higherIsWorse: false, value: (r) => r.diskFreeMb },
  { key: 'rtf', unit: 'x', higherIsWorse: true, value: (r) => r.pipeline?.rtf ?? null },
  { key: 'queue_s', unit: 's', higherIsWorse: true, value: (r) => (r.pipeline ? r.pipeline.queueDurationMs / 1000 : null) },
];

export interface Demand {
  tier: TierName;
  /** Why, e.g. "temperature_c 81.2°C ≥ 80 (minimal.enter)"; '' for normal. */
  reason: string;
}

const DEGRADED: readonly TierName[] = ['paused', 'minimal', 'reduced'];

/**
 * The worst tier whose ENTRY threshold the readings cross (`mode: 'enter'`), or the worst
 * tier whose EXIT threshold is not yet passed (`mode: 'stay'`): the hysteresis band.
 */
export function demandedTier(cfg: TiersConfig, r: Readings, mode: 'enter' | 'stay'): Demand {
  let best: Demand = { tier: 'normal', reason: '' };
  const consider = (d: Demand): void => {
    if (tierRank(d.tier) > tierRank(best.tier)) best = d;
  };
  for (const rule of TIER_RULES) {
    const v = rule.value(r);
    if (v === null || !Number.isFinite(v)) continue;
    for (const tier of DEGRADED) {
      const lvl = cfg[rule.key][tier as Exclude<TierName, 'normal'>];
      const limit = mode === 'enter' ? lvl.enter : lvl.exit;
      const crossed = rule.higherIsWorse ? (mode === 'enter' ? v >= limit : v > limit) : (mode === 'enter' ? v <= limit : v < limit);
      if (crossed) {
        const op = rule.higherIsWorse ? (mode === 'enter' ? '≥' : '>') : (mode === 'enter' ? '≤' : '<');
        consider({ tier, reason: `${rule.key} ${Math.round(v * 10) / 10}${rule.unit} ${op} ${limit} (${tier}.${mode === 'enter' ? 'enter' : 'exit'})` });
        break;
      }
    }
  }
  const th = r.throttle;
  if (th && (th.throttledNow || th.softTempLimitNow)) consider({ tier: cfg.throttled_tier, reason: `firmware throttling active (get_throttled 0x${th.raw.toString(16)})` });
  if (r.inferenceDegraded) consider({ tier: cfg.inference_degraded_tier, reason: 'inference degraded' });
  return best;
}
