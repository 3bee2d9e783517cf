/**
 * The ways an update starts, as functions the lead wires: the `cmd/models/update` MQTT
 * command, the retained fleet announcement on `parley/fleet/models/<role>` (with a
 * deterministic rollout bucket per device), the scheduled check of `ota.check_url`, and a
 * local file. Announcement JSON:
 *   { bundle_url, manifest_url?, signature?, version?, rollout?: { group?, percentage? } }
 * When manifest_url and signature are given, the manifest is fetched (≤ 1 MB) and its
 * signature and policy are checked before the bundle is downloaded.
 */
import { createHash } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { AppError, UsageError } from '../util/errors.js';
import { checkPolicy, MAX_MANIFEST_BYTES, parseManifest, verifyManifestSignature } from './manifest.js';
import type { OtaResult, Pointer } from './ota-state.js';
import { compareSemver, parseSemver } from './semver.js';
import type { OtaUpdater } from './updater.js';

export const FLEET_TOPIC_PREFIX = 'parley/fleet/models/';
export const fleetTopic = (role: string): string => `${FLEET_TOPIC_PREFIX}${role}`;

export interface UpdateCommand {
  source: string;
  force: boolean;
}

/** Parse the `cmd/models/update` payload: `{ url | path, force? }`. */
export function parseUpdateCommand(payload: unknown): UpdateCommand {
  const p = typeof payload === 'string' || Buffer.isBuffer(payload) ? safeJson(payload.toString()) : payload;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new UsageError('models/update payload must be a JSON object { url | path, force? }');
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['id', 'url', 'path', 'force'].includes(k)) throw new UsageError(`models/update: unknown field ${k}`);
  if ((o.url === undefined) === (o.path === undefined)) throw new UsageError('models/update needs exactly one of url or path');
  if (o.url !== undefined && (typeof o.url !== 'string' || !/^https?:\/\/\S+$/.test(o.url))) throw new UsageError('models/update: url must be an http(s) URL');
  if (o.path !== undefined && (typeof o.path !== 'string' || !o.path.startsWith('/'))) throw new UsageError('models/update: path must be an absolute path');
  if (o.force !== undefined && typeof o.force !== 'boolean') throw new UsageError('models/update: force must be a boolean');
  return { source: (o.url ?? o.path) as string, force: o.force === true };
}

export interface FleetAnnouncement {
  bundle_url: string;
  manifest_url?: string;
  signature?: string;
  version?: string;
  rollout: { group?: string; percentage?: number };
}

export function parseFleetAnnouncement(payload: unknown): FleetAnnouncement {
  const p = typeof payload === 'string' || Buffer.isBuffer(payload) ? safeJson(payload.toString()) : payload;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new UsageError('fleet announcement must be a JSON object');
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['bundle_url', 'manifest_url', 'signature', 'version', 'rollout'].includes(k)) throw new UsageError(`fleet announcement: unknown field ${k}`);
  const url = (k: string): string | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'string' || !/^https?:\/\/\S+$/.test(o[k] as string)) throw new UsageError(`fleet announcement: ${k} must be an http(s) URL`);
    return o[k] as string;
  };
  const bundleUrl = url('bundle_url');
  if (!bundleUrl) throw new UsageError('fleet announcement: bundle_url is required');
  const manifestUrl = url('manifest_url');
  if (o.signature !== undefined && typeof o.signature !== 'string') throw new UsageError('fleet announcement: signature must be base64 text');
  if ((manifestUrl === undefined) !== (o.signature === undefined)) throw new UsageError('fleet announcement: manifest_url and signature go together');
  if (o.version !== undefined && (typeof o.version !== 'string' || !parseSemver(o.version))) throw new UsageError('fleet announcement: version must be a semantic version');
  const r = o.rollout ?? {};
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new UsageError('fleet announcement: rollout must be an object');
  const ro = r as Record<string, unknown>;
  for (const k of Object.keys(ro)) if (k !== 'group' && k !== 'percentage') throw new UsageError(`fleet announcement: unknown rollout field ${k}`);
  if (ro.group !== undefined && typeof ro.group !== 'string') throw new UsageError('fleet announcement: rollout.group must be a string');
  if (ro.percentage !== undefined && (typeof ro.percentage !== 'number' || !(ro.percentage >= 0 && ro.percentage <= 100))) {
    throw new UsageError('fleet announcement: rollout.percentage must be 0-100');
  }
  return {
    bundle_url: bundleUrl, manifest_url: manifestUrl, signature: o.signature as string | undefined, version: o.version as string | undefined,
    rollout: { group: ro.group as string | undefined, percentage: ro.percentage as number | undefined },
  };
}

/** Stable bucket 0-99 for a device and a release: the same device always gets the same answer. */
export function rolloutBucket(deviceId: string, releaseKey: string): number {
  return createHash('sha256').update(`${deviceId}\n${releaseKey}`).digest().readUInt32BE(0) % 100;
}

export interface TriggerDecision {
  action: 'install' | 'skip';
  reason: string;
  result?: OtaResult;
}

export interface FleetContext {
  deviceId: string;
  /** This device's rollout group (ota.rollout_group). */
  group: string;
}

/** Decide whether a fleet announcement applies to this device and, if so, install it. */
export async function handleFleetAnnouncement(u: OtaUpdater, role: string, payload: unknown, ctx: FleetContext): Promise<TriggerDecision> {
  const a = parseFleetAnnouncement(payload);
  if (a.rollout.group !== undefined && a.rollout.group !== ctx.group) return { action: 'skip', reason: 'group_mismatch' };
  const pct = a.rollout.percentage ?? 100;
  const bucket = rolloutBucket(ctx.deviceId, a.version ?? a.bundle_url);
  if (bucket >= pct) return { action: 'skip', reason: `not_in_rollout (bucket ${bucket} >= ${pct}%)` };
  const st = u.status() as { active: Pointer; bad_versions: string[]; phase: string };
  const current = st.active[role]?.version;
  let version = a.version;
  if (a.manifest_url && a.signature) {
    const m = parseManifest(await fetchSmall(a.manifest_url, MAX_MANIFEST_BYTES));
    verifyManifestSignature(m, a.signature, u.config.ota);
    version = m.version;
    const skip = versionSkip(version, current, st.bad_versions);
    if (skip) return skip;
    checkPolicy(m, { deviceClass: u.config.device.class, parleyVersion: u.parleyVersion, currentVersion: current, badVersions: st.bad_versions, force: false });
  }
  const skip = version ? versionSkip(version, current, st.bad_versions) : undefined;
  if (skip) return skip;
  if (st.phase !== 'idle') return { action: 'skip', reason: `busy (${st.phase})` };
  return { action: 'install', reason: 'selected', result: await u.install(a.bundle_url) };
}

/** The scheduled check: fetch `ota.check_url` (announcement JSON) and handle it for every role it names. */
export async function scheduledCheck(u: OtaUpdater, role: string, ctx: FleetContext): Promise<TriggerDecision> {
  const url = u.config.ota.check_url;
  if (!url) return { action: 'skip', reason: 'ota.check_url is empty' };
  return handleFleetAnnouncement(u, role, await fetchSmall(url, 64 * 1024), ctx);
}

/**
 * Handler for `cmd/models/update`. Resolves once the install is accepted and running;
 * progress and the result arrive as `event/ota` events.
 */
export function updateCommandHandler(u: OtaUpdater): (payload: unknown) => Promise<unknown> {
  return async (payload) => {
    const c = parseUpdateCommand(payload);
    const st = u.status() as { phase: string };
    if (st.phase !== 'idle') throw new AppError('OTA_FAILED', `an update is already in phase ${st.phase}`, { retryable: true });
    void u.install(c.source, { force: c.force }).catch(() => undefined); // outcome is reported through events
    return { accepted: true, source: c.source, force: c.force };
  };
}

/** A retained announcement is seen again on every reconnect: an installed or bad version is a no-op. */
function versionSkip(version: string, current: string | undefined, bad: readonly string[]): TriggerDecision | undefined {
  if (current && compareSemver(version, current) <= 0) return { action: 'skip', reason: 'up_to_date' };
  if (bad.includes(version)) return { action: 'skip', reason: 'marked_bad' };
  return undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new UsageError('payload is not JSON');
  }
}

/** GET a small document with a hard size cap and timeout. */
export function fetchSmall(url: string, maxBytes: number, timeoutMs = 15000): Promise<Buffer> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new AppError('DOWNLOAD', `${url}: HTTP ${res.statusCode}`, { retryable: true }));
        return;
      }
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > maxBytes) {
          res.destroy();
          reject(new AppError('DOWNLOAD', `${url} is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', (e) => reject(new AppError('DOWNLOAD', `${url}: ${e.message}`, { retryable: true })));
    });
    req.on('timeout', () => req.destroy(new AppError('DOWNLOAD', `${url}: no answer within ${timeoutMs} ms`, { retryable: true })));
    req.on('error', (e) => reject(e instanceof AppError ? e : new AppError('DOWNLOAD', `${url}: ${e.message}`, { retryable: true })));
  });
}
