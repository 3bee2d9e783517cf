/**
 * Persisted OTA state (`<data dir>/ota/state.json`) and the active-slot pointer
 * (`<data dir>/models/active.json`). Both are written with writeFileAtomic, so a kill -9
 * at any point leaves the old or the new content. The pointer is the single source of
 * truth for which slot each role loads; state.json records the transition in progress so
 * recover() can finish or undo it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readFileRecovering, writeFileAtomic } from '../platform/atomic-file.js';
import { AppError } from '../util/errors.js';

export type SlotName = 'a' | 'b';
export type OtaPhase = 'idle' | 'downloading' | 'verifying' | 'staging' | 'testing' | 'activating' | 'probation' | 'rolling_back' | 'committing';

export interface ActiveRole {
  slot: SlotName;
  bundle_id: string;
  version: string;
  family: string;
  bundle_name: string;
  /** Model path inside the slot directory. */
  model: string;
  sha256: string;
  size: number;
}
export type Pointer = Record<string, ActiveRole>;

export interface Candidate {
  bundle_id: string;
  version: string;
  source: string;
  roles: Pointer;
}

export interface OtaResult {
  ok: boolean;
  action: 'install' | 'rollback' | 'commit' | 'recover';
  version?: string;
  reason?: string;
  message?: string;
  /** Phase the failure happened in. */
  phase?: OtaPhase;
}

export interface OtaState {
  format: 1;
  phase: OtaPhase;
  candidate?: Candidate;
  /** Pointer before the current/last activation: the rollback target. */
  previous?: Pointer;
  probation?: { crashes: number; healthy_segments: number };
  bad_versions: string[];
  last_result?: OtaResult;
}

export function emptyState(): OtaState {
  return { format: 1, phase: 'idle', bad_versions: [] };
}

export class OtaPaths {
  constructor(readonly dataDir: string) {}
  get otaDir(): string {
    return join(this.dataDir, 'ota');
  }
  get stateFile(): string {
    return join(this.otaDir, 'state.json');
  }
  get downloadsDir(): string {
    return join(this.otaDir, 'downloads');
  }
  get slotsDir(): string {
    return join(this.dataDir, 'models', 'slots');
  }
  get pointerFile(): string {
    return join(this.dataDir, 'models', 'active.json');
  }
  roleDir(role: string): string {
    return join(this.slotsDir, role);
  }
  slotDir(role: string, slot: SlotName): string {
    return join(this.slotsDir, role, slot);
  }
}

function readJson<T>(file: string, what: string): T | undefined {
  const r = readFileRecovering(file);
  if (!r) return undefined;
  try {
    return JSON.parse(r.data.toString('utf8')) as T;
  } catch (e) {
    throw new AppError('OTA_FAILED', `${what} ${file} is corrupt: ${(e as Error).message}`, { hint: `remove ${file} and its .bak, then reinstall the bundle` });
  }
}

export function loadState(p: OtaPaths): OtaState {
  const s = readJson<OtaState>(p.stateFile, 'OTA state');
  if (!s) return emptyState();
  if (s.format !== 1 || typeof s.phase !== 'string' || !Array.isArray(s.bad_versions)) {
    throw new AppError('OTA_FAILED', `OTA state ${p.stateFile} has an unknown layout`, { hint: 'remove it and reinstall the bundle' });
  }
  return s;
}

export function saveState(p: OtaPaths, s: OtaState): void {
  mkdirSync(dirname(p.stateFile), { recursive: true });
  writeFileAtomic(p.stateFile, `${JSON.stringify(s, null, 2)}\n`);
}

export function loadPointer(p: OtaPaths): Pointer {
  return readJson<{ format: 1; roles: Pointer }>(p.pointerFile, 'active model pointer')?.roles ?? {};
}

export function savePointer(p: OtaPaths, roles: Pointer): void {
  mkdirSync(dirname(p.pointerFile), { recursive: true });
  writeFileAtomic(p.pointerFile, `${JSON.stringify({ format: 1, roles }, null, 2)}\n`);
}

export function otherSlot(s: SlotName | undefined): SlotName {
  return s === 'a' ? 'b' : 'a';
}

export function pointerExists(p: OtaPaths): boolean {
  return existsSync(p.pointerFile) || existsSync(`${p.pointerFile}.bak`);
}
