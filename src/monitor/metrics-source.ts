/**
 * src/monitor/metrics-source.ts: the `MetricsSource` contract and the system
 * implementation. systeminformation supplies memory and swap; CPU load comes from
 * /proc/stat deltas and the load average from /proc/loadavg (systeminformation's
 * currentLoad only where there is no /proc: it shells out to `cat /proc/stat` on every
 * sample), free space from statfs of the data directory (no `df` process per sample);
 * direct sysfs reads supply thermal zones and Raspberry Pi throttling; /proc/self/status
 * the service RSS. Pipeline figures and inference health are pushed in by the supervisor.
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import si from 'systeminformation';
import type { FrozenConfig } from '../config/schema.js';
import type { Clock } from '../platform/clock.js';
import { statfsUsage } from '../storage/disk-budget.js';
import { systemClock } from '../platform/clock.js';
import { emptyReadings, type PipelineReading, type Readings } from './readings.js';
import { parseLoadAvg1, parseMeminfo, parseProcStatCpu, readSelfRssMb, readThermalZones, readThrottle } from './sysfs-reader.js';

export interface MetricsSource {
  /** Sample every resource now. Never throws: an unreadable resource is `null`. */
  readAll(): Promise<Readings>;
  /** Latest live-pipeline figures (the supervisor calls this after each segment). */
  reportPipeline(p: PipelineReading): void;
  /** Inference child health as judged by the supervisor. */
  reportInference(degraded: boolean): void;
}

export type MonitorConfig = Pick<FrozenConfig, 'monitor' | 'storage'>;

const MB = 1024 * 1024;

export class SystemMetricsSource implements MetricsSource {
  private pipeline: PipelineReading | null = null;
  private inferenceDegraded = false;
  /** Malformed sysfs/proc files seen so far (a flaky sensor must not go unnoticed). */
  malformedReads = 0;
  private readonly dataDir: string;
  private lastCpu = { idle: 0, total: 0 };

  constructor(private readonly cfg: MonitorConfig, private readonly clock: Clock = systemClock) {
    this.dataDir = cfg.monitor.data_dir !== '' ? cfg.monitor.data_dir : dirname(cfg.storage.db_path);
  }

  reportPipeline(p: PipelineReading): void {
    this.pipeline = { ...p };
  }

  reportInference(degraded: boolean): void {
    this.inferenceDegraded = degraded;
  }

  async readAll(): Promise<Readings> {
    const r = emptyReadings(this.clock.monoMs());
    const m = this.cfg.monitor;
    const [mem, load, disk, thermal, throttle, rss] = await Promise.all([
      this.readMemory(),
      this.readLoad(),
      this.readDisk(),
      readThermalZones(m.sysfs_root),
      readThrottle(m.sysfs_root, m.use_vcgencmd).catch(() => null),
      readSelfRssMb(),
    ]);
    Object.assign(r, mem, load, disk);
    r.thermalZones = thermal.zones;
    this.malformedReads += thermal.malformed;
    r.maxTempC = thermal.zones.length > 0 ? Math.max(...thermal.zones.map((z) => z.tempC)) : null;
    r.throttle = throttle;
    r.rssMb = rss;
    r.pipeline = this.pipeline;
    r.inferenceDegraded = this.inferenceDegraded;
    return r;
  }

  private async readMemory(): Promise<Partial<Readings>> {
    let totalMb: number, availableMb: number, swapTotalMb: number, swapUsedMb: number;
    if (this.cfg.monitor.proc_root !== '') {
      const text = await readFile(join(this.cfg.monitor.proc_root, 'meminfo'), 'utf8').catch(() => '');
      const mi = parseMeminfo(text);
      if (!mi) {
        this.malformedReads++;
        return {};
      }
      ({ totalMb, availableMb, swapTotalMb } = mi);
      swapUsedMb = mi.swapTotalMb - mi.swapFreeMb;
    } else {
      const mem = await si.mem().catch(() => undefined);
      if (!mem || mem.total === 0) return {};
      totalMb = mem.total / MB;
      availableMb = mem.available / MB;
      swapTotalMb = mem.swaptotal / MB;
      swapUsedMb = mem.swapused / MB;
    }
    return { memTotalMb: totalMb, memAvailableMb: availableMb, memAvailablePct: (100 * availableMb) / totalMb, swapTotalMb, swapUsedMb };
  }

  private async readLoad(): Promise<Partial<Readings>> {
    const root = this.cfg.monitor.proc_root !== '' ? this.cfg.monitor.proc_root : '/proc';
    const [avgText, statText] = await Promise.all([
      readFile(join(root, 'loadavg'), 'utf8').catch(() => null),
      readFile(join(root, 'stat'), 'utf8').catch(() => null),
    ]);
    if (avgText === null && statText === null && this.cfg.monitor.proc_root === '') {
      const cl = await si.currentLoad().catch(() => undefined);
      return { cpuLoadPct: cl ? cl.currentLoad : null, loadAvg1: cl ? cl.avgLoad : null };
    }
    const l = avgText === null ? undefined : parseLoadAvg1(avgText);
    if (avgText !== null && l === undefined) this.malformedReads++;
    let cpuLoadPct: number | null = null;
    if (statText !== null) {
      const cpu = parseProcStatCpu(statText);
      if (!cpu) this.malformedReads++;
      else {
        // first sample: utilisation since boot; then since the previous sample
        const dTotal = cpu.total - this.lastCpu.total;
        if (dTotal > 0) cpuLoadPct = Math.max(0, Math.min(100, 100 * (1 - (cpu.idle - this.lastCpu.idle) / dTotal)));
        this.lastCpu = cpu;
      }
    }
    return { loadAvg1: l ?? null, cpuLoadPct };
  }

  /** statfs of the data directory (its nearest existing ancestor): space available to parley and the filesystem size. */
  private async readDisk(): Promise<Partial<Readings>> {
    try {
      const u = statfsUsage(resolveExisting(this.dataDir));
      return { diskFreeMb: u.freeMb, diskTotalMb: u.totalMb };
    } catch {
      return {};
    }
  }

}

/** The nearest existing ancestor of `p`, resolved (the data directory may not exist yet). */
function resolveExisting(p: string): string {
  let cur = p;
  for (;;) {
    try {
      return realpathSync(cur);
    } catch {
      const up = dirname(cur);
      if (up === cur) return cur;
      cur = up;
    }
  }
}
