/**
 * OTA state machine: verify signature → download → verify sizes and hashes → stage into
 * the inactive slot → golden test in a fresh inference child → activate (atomic pointer)
 * → probation → commit. Every phase is persisted before it starts (ota-state.ts) so
 * recover() can finish or undo an interrupted transition after kill -9; afterwards exactly
 * one complete, verified bundle is active per role (or none: the shipped model).
 *
 * Events ('event'): { type: 'ota.phase'|'ota.progress'|'ota.rejected'|'ota.failed'|
 * 'ota.activated'|'ota.committed'|'ota.rolled_back'|'ota.recovered', ... }.
 * 'model-changed' ({ roles }) tells the supervisor to reload models.
 *
 * Longer than the 300-line norm on purpose: every persisted phase, its failure path and
 * its recovery live in one file so they can be read (and reviewed) together.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrozenConfig } from '../config/schema.js';
import { AppError, ManifestError, SignatureError, toAppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { shippedModelPath } from './active-model.js';
import { openBundle, readRemoteHead } from './bundle-file.js';
import { downloadBundle, fetchHead } from './download.js';
import { faultPoint, faultPointSync } from './faults.js';
import { goldenAcceptance } from './golden.js';
import { checkPolicy, verifyManifestSignature, type BundleManifest } from './manifest.js';
import { acquireLock } from './ota-lock.js';
import { loadPointer, loadState, OtaPaths, saveState, savePointer, type Candidate, type OtaPhase, type OtaResult, type OtaState, type Pointer } from './ota-state.js';
import { compareSemver } from './semver.js';
import { cleanLeftovers, inactiveSlot, roleIntact, stageRole } from './slots.js';

export interface OtaUpdaterOptions {
  config: FrozenConfig;
  parleyVersion: string;
  logger: Logger;
  /** True while a recording session is open: activation waits for it to end. */
  isSessionActive?: () => boolean;
  /** Model path of a role when no OTA bundle is active (default: the shipped model from the model manifest). */
  fallbackModelPath?: (role: string) => string | undefined;
  /** Environment for fault hooks and the golden child (tests). */
  env?: NodeJS.ProcessEnv;
  sessionPollMs?: number;
}

export interface InstallOptions {
  force?: boolean;
}

export class OtaUpdater extends EventEmitter {
  readonly paths: OtaPaths;
  readonly config: FrozenConfig;
  readonly parleyVersion: string;
  private state: OtaState;
  private probationTimer: NodeJS.Timeout | undefined;
  private lockDepth = 0;
  private readonly rejected: Record<string, number> = {};
  private progress: { doneBytes: number; totalBytes?: number } | undefined;
  private readonly cfg: FrozenConfig['ota'];

  constructor(private readonly opts: OtaUpdaterOptions) {
    super();
    this.config = opts.config;
    this.parleyVersion = opts.parleyVersion;
    this.cfg = opts.config.ota;
    this.paths = new OtaPaths(this.cfg.data_dir);
    this.state = loadState(this.paths);
  }

  /** Finish or undo whatever a previous process left half done. Call once at start. */
  async recover(): Promise<OtaResult | undefined> {
    return this.withLock(() => this.recoverLocked());
  }

  private async recoverLocked(): Promise<OtaResult | undefined> {
    const s = (this.state = loadState(this.paths));
    const pointer = loadPointer(this.paths);
    const phase = s.phase;
    const keep: Pointer[] = [pointer, s.previous ?? {}];
    if (['activating', 'probation', 'committing', 'rolling_back'].includes(phase) && s.candidate) keep.push(s.candidate.roles);
    const removed = cleanLeftovers(this.paths, keep);
    let result: OtaResult | undefined;
    if (['downloading', 'verifying', 'staging', 'testing'].includes(phase)) {
      result = { ok: false, action: 'install', version: s.candidate?.version, reason: 'interrupted', phase, message: `install interrupted during ${phase}; previous model kept` };
      this.finish(result);
    } else if (phase === 'activating' && s.candidate) {
      const c = s.candidate;
      if (Object.entries(c.roles).every(([role, r]) => roleIntact(this.paths, role, r))) {
        savePointer(this.paths, { ...pointer, ...c.roles });
        this.enterProbation(s.probation);
        result = this.cfg.probation_minutes === 0
          ? this.commit()
          : { ok: true, action: 'recover', version: c.version, message: 'activation completed after restart; probation restarted' };
      } else {
        result = await this.rollback('candidate incomplete after interrupted activation', false);
      }
    } else if (phase === 'probation') {
      this.enterProbation(s.probation);
      if (this.cfg.probation_minutes === 0) result = this.commit();
    } else if (phase === 'rolling_back') {
      result = await this.rollback(s.last_result?.message ?? 'interrupted rollback', true);
    } else if (phase === 'committing') {
      result = this.commit();
    }
    // Invariant: every role in the pointer is complete; otherwise fall back.
    const now = loadPointer(this.paths);
    const broken = Object.entries(now).filter(([role, r]) => !roleIntact(this.paths, role, r)).map(([role]) => role);
    if (broken.length > 0) {
      const prev = this.state.previous ?? {};
      const fixed: Pointer = { ...now };
      for (const role of broken) {
        if (prev[role] && roleIntact(this.paths, role, prev[role])) fixed[role] = prev[role];
        else delete fixed[role];
      }
      savePointer(this.paths, fixed);
      this.opts.logger.error({ roles: broken }, 'ota.active_slot_broken');
      result = { ok: false, action: 'recover', reason: 'active_slot_broken', message: `active bundle for ${broken.join(',')} was incomplete; fell back` };
      if (this.state.phase !== 'idle') this.finish(result); // a probation of a damaged bundle ends here
    }
    if (result || removed.length > 0) this.event({ type: 'ota.recovered', phase, removed: removed.length, result });
    return result;
  }

  /** Install a bundle from a local path or an http(s) URL. Resolves after activation. */
  async install(source: string, io: InstallOptions = {}): Promise<OtaResult> {
    return this.withLock(async () => {
      this.state = loadState(this.paths);
      if (this.state.phase !== 'idle') {
        throw new AppError('OTA_FAILED', `another update is in phase ${this.state.phase}`, { retryable: true, hint: 'wait for it to commit or run `parley models rollback`' });
      }
      return this.runInstall(source, io);
    });
  }

  /** Cross-process lock (ota/lock), re-entrant within this updater. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lockDepth > 0) {
      this.lockDepth++;
      try {
        return await fn();
      } finally {
        this.lockDepth--;
      }
    }
    const release = acquireLock(this.paths);
    this.lockDepth = 1;
    try {
      return await fn();
    } finally {
      this.lockDepth = 0;
      release();
    }
  }

  private async runInstall(source: string, io: InstallOptions): Promise<OtaResult> {
    const env = this.opts.env ?? process.env;
    const dataDir = this.paths.dataDir;
    let candidate: Candidate | undefined;
    try {
      this.setPhase('downloading', { candidate: undefined });
      let file = source;
      if (/^https?:\/\//.test(source)) {
        mkdirSync(this.paths.downloadsDir, { recursive: true });
        file = join(this.paths.downloadsDir, downloadName(source));
        // Signature and policy first, from the bundle's first bytes: a refused bundle is never downloaded.
        const head = await readRemoteHead((n) => fetchHead(source, n, this.cfg.download_timeout_ms), `${file}.head`);
        this.verifyAndCheck(head.manifest, head.signature, io);
        await downloadBundle(source, file, {
          maxBytes: this.cfg.max_bundle_bytes, timeoutMs: this.cfg.download_timeout_ms,
          onProgress: (doneBytes, totalBytes) => this.onProgress(doneBytes, totalBytes),
          onFirstChunk: () => faultPoint('download', dataDir, env),
        });
      } else {
        if (!existsSync(file)) throw new AppError('USAGE', `no such bundle file: ${file}`);
        await faultPoint('download', dataDir, env);
      }
      this.setPhase('verifying');
      await faultPoint('verify', dataDir, env);
      const b = openBundle(file);
      const m = b.manifest;
      const pointer = this.verifyAndCheck(m, b.signature, io);
      const roles: Pointer = {};
      for (const r of m.roles) {
        const f = m.files.find((x) => x.path === r.model)!;
        roles[r.role] = { slot: inactiveSlot(pointer, r.role), bundle_id: m.bundle_id, version: m.version, family: r.family, bundle_name: r.bundle_name, model: r.model, sha256: f.sha256, size: f.size };
      }
      candidate = { bundle_id: m.bundle_id, version: m.version, source, roles };
      // Staging overwrites the inactive slot, which may hold the old rollback target.
      this.setPhase('staging', { candidate, previous: undefined });
      await faultPoint('stage', dataDir, env);
      const size = statSync(file).size;
      const totalBytes = m.files.reduce((a, f) => a + f.size, 0) * m.roles.length;
      let done = 0;
      for (const r of m.roles) stageRole(this.paths, b, r.role, roles[r.role].slot, (n) => this.onProgress((done += n), totalBytes), size);
      this.setPhase('testing');
      await faultPoint('test', dataDir, env);
      const first = m.roles[0];
      const results = await goldenAcceptance(m, this.paths.slotDir(first.role, roles[first.role].slot), {
        threads: this.opts.config.inference.intra_op_threads, loadTimeoutMs: this.cfg.golden_timeout_ms,
        requestTimeoutMs: this.cfg.golden_timeout_ms, logger: this.opts.logger, env,
      });
      this.event({ type: 'ota.golden_passed', version: m.version, cases: results.map((r) => ({ name: r.name, max_abs_diff: r.maxAbsDiff, latency_ms: Math.round(r.latencyMs), rss_mb: Math.round(r.rssMb) })) });
      await this.waitForSession();
      this.setPhase('activating', { previous: pointer });
      await faultPoint('activate', dataDir, env);
      savePointer(this.paths, { ...pointer, ...roles });
      this.event({ type: 'ota.activated', version: m.version, bundle_id: m.bundle_id, roles: Object.keys(roles) });
      this.emit('model-changed', { roles: Object.keys(roles) });
      this.enterProbation(undefined);
      await faultPoint('probation', dataDir, env);
      if (this.cfg.probation_minutes === 0) return this.commit();
      return { ok: true, action: 'install', version: m.version, phase: 'probation', message: `version ${m.version} active, in probation` };
    } catch (e) {
      return this.failInstall(e, candidate);
    }
  }

  /** Signature, then compatibility and version policy; returns the current pointer. */
  private verifyAndCheck(m: BundleManifest, signature: string, io: InstallOptions): Pointer {
    verifyManifestSignature(m, signature, this.cfg);
    const pointer = loadPointer(this.paths);
    const current = m.roles.map((r) => pointer[r.role]?.version).filter((v): v is string => !!v).sort(compareSemver).pop();
    checkPolicy(m, { deviceClass: this.opts.config.device.class, parleyVersion: this.opts.parleyVersion, currentVersion: current, badVersions: this.state.bad_versions, force: !!io.force });
    return pointer;
  }

  private async failInstall(e: unknown, candidate: Candidate | undefined): Promise<never> {
    const phase = this.state.phase;
    const err = toAppError(e);
    const reason = e instanceof SignatureError || e instanceof ManifestError ? e.reason : err.code.toLowerCase();
    if (e instanceof SignatureError || e instanceof ManifestError) this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    try {
      if (phase === 'activating' || phase === 'probation' || phase === 'committing') {
        await this.rollback(`${phase} failed: ${err.message}`, true);
      } else {
        const pointer = loadPointer(this.paths);
        cleanLeftovers(this.paths, [pointer, this.state.previous ?? {}], err.code === 'DOWNLOAD' && err.retryable);
        this.finish({ ok: false, action: 'install', version: candidate?.version, reason, phase, message: err.message });
      }
    } catch (cleanupErr) {
      this.opts.logger.error({ err: (cleanupErr as Error).message }, 'ota.cleanup_failed');
    }
    this.event({ type: e instanceof SignatureError || e instanceof ManifestError ? 'ota.rejected' : 'ota.failed', reason, phase, message: err.message, version: candidate?.version });
    throw e instanceof Error ? e : err;
  }

  /** Commit the bundle in probation (called by the timer or after enough healthy segments). */
  commit(): OtaResult {
    if (this.state.phase !== 'probation' && this.state.phase !== 'committing') return { ok: false, action: 'commit', message: 'nothing in probation' };
    this.clearTimer();
    const version = this.state.candidate?.version;
    this.setPhase('committing');
    faultPointSync('commit', this.paths.dataDir, this.opts.env ?? process.env);
    const result: OtaResult = { ok: true, action: 'commit', version, message: `version ${version} committed` };
    this.finish(result, { probation: undefined });
    this.event({ type: 'ota.committed', version });
    return result;
  }

  /**
   * Return every role to the previous pointer. Automatic rollbacks (`markBad`) also put
   * the version on the bad list so it is not retried without --force.
   */
  async rollback(reason: string, markBad: boolean): Promise<OtaResult> {
    return this.withLock(async () => this.rollbackLocked(reason, markBad));
  }

  private rollbackLocked(reason: string, markBad: boolean): OtaResult {
    this.state = loadState(this.paths); // another process (the CLI) may have moved on
    this.clearTimer();
    const prev = this.state.previous;
    if (!prev) throw new AppError('OTA_FAILED', 'no previous model to roll back to', { hint: 'install a bundle first; a staged update replaces the old rollback target' });
    const now = loadPointer(this.paths);
    const version = this.state.candidate?.version ?? Object.values(now)[0]?.version;
    this.setPhase('rolling_back', { last_result: { ok: false, action: 'rollback', version, message: reason } });
    // The previous pointer is complete (all roles), so restoring it as a whole is exact;
    // a role it lacks goes back to the shipped model.
    const restored: Pointer = { ...prev };
    savePointer(this.paths, restored);
    const bad = markBad && version && !this.state.bad_versions.includes(version) ? [...this.state.bad_versions, version] : this.state.bad_versions;
    const result: OtaResult = { ok: true, action: 'rollback', version, reason: markBad ? 'rolled_back' : 'manual', message: reason };
    // Swap: the bundle we left becomes the rollback target of a manual rollback.
    this.finish(result, { bad_versions: bad, previous: markBad ? undefined : now, probation: undefined, candidate: undefined });
    this.event({ type: 'ota.rolled_back', version, reason, automatic: markBad });
    this.emit('model-changed', { roles: Object.keys(restored) });
    return result;
  }

  /** The supervisor calls this on every inference child restart. */
  async reportCrash(): Promise<void> {
    this.refresh();
    if (this.state.phase !== 'probation') return;
    const p = { crashes: (this.state.probation?.crashes ?? 0) + 1, healthy_segments: this.state.probation?.healthy_segments ?? 0 };
    this.save({ probation: p });
    this.event({ type: 'ota.probation', crashes: p.crashes, healthy_segments: p.healthy_segments });
    if (p.crashes >= this.cfg.probation_max_crashes) await this.rollback(`${p.crashes} inference crashes during probation`, true);
  }

  /** The supervisor calls this for each segment processed without error. */
  reportHealthy(): void {
    this.refresh();
    if (this.state.phase !== 'probation') return;
    const p = { crashes: this.state.probation?.crashes ?? 0, healthy_segments: (this.state.probation?.healthy_segments ?? 0) + 1 };
    this.save({ probation: p });
    if (this.cfg.probation_segments > 0 && p.healthy_segments >= this.cfg.probation_segments) this.commit();
  }

  /** Model file the supervisor should load for a role. */
  activeModelPath(role: string): string | undefined {
    const r = loadPointer(this.paths)[role];
    if (r) return join(this.paths.slotDir(role, r.slot), r.model);
    return this.opts.fallbackModelPath ? this.opts.fallbackModelPath(role) : shippedModelPath(this.config, role);
  }

  status(): Record<string, unknown> {
    try {
      this.state = loadState(this.paths); // the CLI may have changed it; memory always equals disk otherwise
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'ota.state_unreadable');
    }
    return {
      phase: this.state.phase, active: loadPointer(this.paths), previous: this.state.previous ?? null,
      candidate: this.state.candidate ?? null, probation: this.state.probation ?? null, progress: this.progress ?? null,
      bad_versions: this.state.bad_versions, last_result: this.state.last_result ?? null, rejected: { ...this.rejected },
    };
  }

  stop(): void {
    this.clearTimer();
  }

  /**
   * Re-read state.json: `parley models install` may have activated a bundle while this
   * process runs. A probation started elsewhere gets its timer here.
   */
  private refresh(): void {
    try {
      this.state = loadState(this.paths);
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'ota.state_unreadable');
      return;
    }
    if (this.state.phase === 'probation' && !this.probationTimer && this.cfg.probation_minutes > 0) {
      this.probationTimer = setTimeout(() => this.commit(), this.cfg.probation_minutes * 60000);
      this.probationTimer.unref();
    }
  }

  private enterProbation(p: OtaState['probation']): void {
    this.setPhase('probation', { probation: p ?? { crashes: 0, healthy_segments: 0 } });
    this.clearTimer();
    if (this.cfg.probation_minutes > 0) {
      this.probationTimer = setTimeout(() => this.commit(), this.cfg.probation_minutes * 60000);
      this.probationTimer.unref();
    }
  }

  private async waitForSession(): Promise<void> {
    const active = this.opts.isSessionActive;
    if (!active || !active()) return;
    this.event({ type: 'ota.waiting_for_session', max_wait_s: this.cfg.max_wait_for_session_s });
    const deadline = performance.now() + this.cfg.max_wait_for_session_s * 1000;
    while (active()) {
      if (performance.now() >= deadline) {
        throw new AppError('OTA_FAILED', `recording session still active after ${this.cfg.max_wait_for_session_s} s; not switching models mid-session`, { retryable: true });
      }
      await new Promise((r) => setTimeout(r, this.opts.sessionPollMs ?? 500));
    }
  }

  private onProgress(doneBytes: number, totalBytes: number | undefined): void {
    const prev = this.progress;
    this.progress = { doneBytes, totalBytes };
    const step = (totalBytes ?? 8 << 20) / 10;
    if (!prev || Math.floor(doneBytes / step) !== Math.floor(prev.doneBytes / step) || doneBytes === totalBytes) {
      this.event({ type: 'ota.progress', phase: this.state.phase, done_bytes: doneBytes, total_bytes: totalBytes ?? null });
    }
  }

  private setPhase(phase: OtaPhase, extra: Partial<OtaState> = {}): void {
    this.save({ ...extra, phase });
    this.opts.logger.info({ phase, version: this.state.candidate?.version }, 'ota.phase');
    this.event({ type: 'ota.phase', phase, version: this.state.candidate?.version });
  }

  private finish(result: OtaResult, extra: Partial<OtaState> = {}): void {
    this.progress = undefined;
    this.save({ candidate: undefined, probation: undefined, ...extra, phase: 'idle', last_result: result });
  }

  private save(patch: Partial<OtaState>): void {
    const next = { ...this.state, ...patch };
    for (const k of Object.keys(next) as (keyof OtaState)[]) if (next[k] === undefined) delete next[k];
    saveState(this.paths, next);
    this.state = next;
  }

  private clearTimer(): void {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.probationTimer = undefined;
  }

  private event(payload: Record<string, unknown>): void {
    this.emit('event', payload);
  }
}

/** Local file name for a downloaded bundle: the URL's last path segment, sanitised. */
function downloadName(url: string): string {
  const base = (basename(new URL(url).pathname) || 'bundle').replace(/[^A-Za-z0-9._-]/g, '_');
  return base.endsWith('.bundle') ? base : `${base}.bundle`;
}
