/**
 * src/monitor/describe-readings.ts: every reading next to its budget, for `parley doctor`
 * and `status`. Budgets come from `budgets.*` and the tier thresholds, so what doctor calls
 * warn/critical is what the tier engine acts on.
 */
import type { FrozenConfig } from '../config/schema.js';
import type { Readings } from './readings.js';

export type BudgetState = 'ok' | 'warn' | 'critical';

export interface ReadingRow {
  name: string;
  value: number | string | null;
  unit: string;
  /** Human-readable budget, e.g. "warn ≥ 75, critical ≥ 80". */
  budget: string;
  state: BudgetState;
}

export type BudgetConfig = Pick<FrozenConfig, 'budgets' | 'tiers'>;

interface Limit { warn: number; critical: number; higherIsWorse: boolean }

/** The budget of each numeric reading. */
export function budgets(cfg: BudgetConfig): Record<string, Limit> {
  const b = cfg.budgets;
  const t = cfg.tiers;
  return {
    temperature: { warn: t.temperature_c.reduced.enter, critical: t.temperature_c.minimal.enter, higherIsWorse: true },
    memory_available: { warn: b.memory_warn_available_mb, critical: t.memory_available_mb.minimal.enter, higherIsWorse: false },
    memory_available_pct: { warn: t.memory_available_pct.reduced.enter, critical: t.memory_available_pct.minimal.enter, higherIsWorse: false },
    swap_used: { warn: b.swap_warn_used_mb, critical: b.swap_warn_used_mb * 4, higherIsWorse: true },
    cpu_load: { warn: b.load_warn_pct, critical: 99, higherIsWorse: true },
    disk_free: { warn: b.disk_reserve_mb + b.disk_retention_target_mb, critical: b.disk_reserve_mb, higherIsWorse: false },
    service_rss: { warn: b.rss_budget_mb, critical: b.rss_budget_mb * 1.25, higherIsWorse: true },
    pipeline_rtf: { warn: t.rtf.reduced.enter, critical: Math.min(t.rtf.minimal.enter, t.rtf.reduced.enter * 1.5), higherIsWorse: true },
    queue: { warn: t.queue_s.reduced.enter, critical: t.queue_s.minimal.enter, higherIsWorse: true },
  };
}

function judge(value: number | null, l: Limit): BudgetState {
  if (value === null) return 'ok';
  if (l.higherIsWorse) return value >= l.critical ? 'critical' : value >= l.warn ? 'warn' : 'ok';
  return value <= l.critical ? 'critical' : value <= l.warn ? 'warn' : 'ok';
}

function fmt(l: Limit): string {
  const op = l.higherIsWorse ? '≥' : '≤';
  return `warn ${op} ${round(l.warn)}, critical ${op} ${round(l.critical)}`;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** One row per reading (a row per thermal zone), with its budget and state. Unknown values are `null` and `ok`. */
export function describeReadings(r: Readings, cfg: BudgetConfig): ReadingRow[] {
  const lim = budgets(cfg);
  const rows: ReadingRow[] = [];
  const add = (name: string, value: number | null, unit: string, key: string): void => {
    const l = lim[key];
    if (!l) return;
    rows.push({ name, value: value === null ? null : round(value), unit, budget: fmt(l), state: judge(value, l) });
  };
  if (r.thermalZones.length === 0) add('temperature', null, '°C', 'temperature');
  for (const z of r.thermalZones) add(`temperature.${z.zone}${z.type ? `(${z.type})` : ''}`, z.tempC, '°C', 'temperature');
  add('memory_available', r.memAvailableMb, 'MB', 'memory_available');
  add('memory_available_pct', r.memAvailablePct, '%', 'memory_available_pct');
  add('swap_used', r.swapUsedMb, 'MB', 'swap_used');
  add('cpu_load', r.cpuLoadPct, '%', 'cpu_load');
  add('disk_free', r.diskFreeMb, 'MB', 'disk_free');
  add('service_rss', r.rssMb, 'MB', 'service_rss');
  add('pipeline_rtf', r.pipeline?.rtf ?? null, 'x', 'pipeline_rtf');
  add('queue', r.pipeline ? r.pipeline.queueDurationMs / 1000 : null, 's', 'queue');
  const th = r.throttle;
  rows.push({
    name: 'throttling',
    value: th ? `0x${th.raw.toString(16)}` : null,
    unit: '',
    budget: 'warn: occurred since boot, critical: throttled or soft limit now',
    state: !th ? 'ok' : th.throttledNow || th.softTempLimitNow || th.underVoltageNow ? 'critical' : th.occurredSinceBoot || th.freqCappedNow ? 'warn' : 'ok',
  });
  rows.push({ name: 'inference', value: r.inferenceDegraded ? 'degraded' : 'ok', unit: '', budget: 'critical: degraded', state: r.inferenceDegraded ? 'critical' : 'ok' });
  return rows;
}
