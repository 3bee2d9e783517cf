/**
 * src/monitor/readings.ts: one snapshot of every resource the tier engine and
 * `parley doctor` look at. A reading the board cannot provide is `null`, never 0.
 */

/** Pipeline figures the supervisor reports (the monitor cannot measure them itself). */
export interface PipelineReading {
  /** Processing time / audio time of the live pipeline (1 = exactly real time). */
  rtf: number;
  /** Segments waiting in the live queue. */
  queueDepth: number;
  /** Audio waiting in the live queue, in ms. */
  queueDurationMs: number;
}

export interface ThermalZoneReading {
  /** sysfs directory name, e.g. `thermal_zone0`. */
  zone: string;
  /** Content of the zone's `type` file (`cpu-thermal`, `CPU-therm`, ...), or '' when absent. */
  type: string;
  tempC: number;
}

/** Raspberry Pi firmware throttling state (`get_throttled` bit field). */
export interface ThrottleReading {
  raw: number;
  underVoltageNow: boolean;
  freqCappedNow: boolean;
  throttledNow: boolean;
  softTempLimitNow: boolean;
  /** Any of the sticky "has occurred since boot" bits 16-19. */
  occurredSinceBoot: boolean;
  source: 'sysfs' | 'vcgencmd';
}

export interface Readings {
  /** Monotonic time of the sample, in ms. */
  atMonoMs: number;
  memAvailableMb: number | null;
  memTotalMb: number | null;
  memAvailablePct: number | null;
  swapUsedMb: number | null;
  swapTotalMb: number | null;
  /** CPU load over all cores, percent. */
  cpuLoadPct: number | null;
  /** 1-minute load average. */
  loadAvg1: number | null;
  diskFreeMb: number | null;
  diskTotalMb: number | null;
  /** Service resident set size (VmRSS of this process), MB. */
  rssMb: number | null;
  thermalZones: ThermalZoneReading[];
  /** Hottest thermal zone, °C (null when the board exposes none). */
  maxTempC: number | null;
  throttle: ThrottleReading | null;
  pipeline: PipelineReading | null;
  /** True while the inference child is degraded (restart budget exhausted or unavailable). */
  inferenceDegraded: boolean;
}

/** A reading with nothing known; the base for fakes and partial sources. */
export function emptyReadings(atMonoMs = 0): Readings {
  return {
    atMonoMs, memAvailableMb: null, memTotalMb: null, memAvailablePct: null, swapUsedMb: null, swapTotalMb: null,
    cpuLoadPct: null, loadAvg1: null, diskFreeMb: null, diskTotalMb: null, rssMb: null,
    thermalZones: [], maxTempC: null, throttle: null, pipeline: null, inferenceDegraded: false,
  };
}
