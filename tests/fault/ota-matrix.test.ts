/**
 * T16: the OTA install interrupted at every state × {error, SIGKILL, hang, ENOSPC}.
 * Each case runs the install in a child process (real HTTP download, real golden child)
 * with PARLEY_FAULT=<state>:<kind>, kills it where needed, then a fresh updater runs
 * recover(): exactly one complete, verified bundle must be active (the old one if the
 * fault hit before activation) and no leftovers may remain. ENOSPC cases get their own
 * small tmpfs so the disk-full is the kernel's, not a simulation (needs root). Cases run
 * two at a time to keep the matrix near one minute.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { loadPointer, loadState, OtaPaths } from '../../src/ota/ota-state.js';
import { buildBundle, makeKey, type TestKey } from '../helpers/ota-bundles.js';
import { otaConfig, serveDir, updater, type FileServer } from '../helpers/ota-env.js';
import { sileroFiles } from '../helpers/ota-silero.js';

const STATES = ['download', 'verify', 'stage', 'test', 'activate', 'probation', 'commit'] as const;
const KINDS = ['error', 'kill', 'hang', 'enospc'] as const;
const PRE_ACTIVATION = new Set(['download', 'verify', 'stage', 'test']);
const CHILD = fileURLToPath(new URL('../helpers/ota-install-child.ts', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'ota-matrix-'));
const mnt = join(work, 'tmpfs');
const bundles = join(work, 'bundles');
const template = join(work, 'template');
let K: TestKey;
let http: FileServer;
let v5Sha: string;
let v6Sha: string;
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('ota-matrix needs root to mount a tmpfs for real ENOSPC');
  mkdirSync(mnt, { recursive: true });
  const f = sileroFiles();
  v5Sha = sha(f.v5);
  v6Sha = sha(f.v6);
  K = makeKey();
  http = await serveDir(bundles);
  const v5 = await buildBundle({ dir: bundles, name: 'v5', version: '5.0.0', model: readFileSync(f.v5), key: K });
  await buildBundle({ dir: bundles, name: 'v6', version: '6.2.0', model: readFileSync(f.v6), key: K });
  await updater(otaConfig(template, [K])).install(v5.file);
});
after(async () => {
  await http?.close();
  rmSync(work, { recursive: true, force: true });
});

function runChild(dataDir: string, fault: string): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, PARLEY_TEST_FAULTS: '1', PARLEY_FAULT: fault, OTA_CHILD: JSON.stringify({ dataDir, keys: [K.trusted], source: `${http.url}/v6.bundle` }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child for ${fault} did not finish in 60 s; stderr: ${stderr}`));
    }, 60000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (fault.endsWith(':hang') && stderr.includes(`ota.fault ${fault}`)) setTimeout(() => child.kill('SIGKILL'), 100);
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr, stdout });
    });
  });
}

function leftovers(dataDir: string): string[] {
  const bad: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const rel = relative(dataDir, p);
      if (/\.stage-|\.part$|\.tmp$|\.fault-ballast/.test(e) || rel.startsWith('ota/downloads/')) bad.push(rel);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dataDir);
  return bad;
}

describe('OTA interruption matrix', { concurrency: 2 }, () => {
for (const state of STATES) {
  for (const kind of KINDS) {
    test(`interrupted at ${state} by ${kind}: one good bundle active, leftovers cleaned`, async () => {
      const caseDir = join(mnt, `${state}-${kind}`);
      mkdirSync(caseDir, { recursive: true });
      if (kind === 'enospc') execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', caseDir]);
      const dataDir = join(caseDir, 'data');
      cpSync(template, dataDir, { recursive: true });
      try {
        const r = await runChild(dataDir, `${state}:${kind}`);
        assert.ok(r.stderr.includes(`ota.fault ${state}:${kind}`), `fault point ${state} was reached; stderr: ${r.stderr.slice(-400)}`);
        if (kind === 'kill' || kind === 'hang') assert.equal(r.signal, 'SIGKILL');
        if (kind === 'error') assert.equal(r.code, 1);
        if (kind === 'enospc') assert.match(r.stdout, /ENOSPC|STORAGE_FULL|no space/i, 'the disk really filled up');

        const u = updater(otaConfig(dataDir, [K]));
        await u.recover();
        u.stop();
        const paths = new OtaPaths(dataDir);
        const st = loadState(paths);
        assert.equal(st.phase, 'idle', `phase after recover: ${st.phase}`);
        const ptr = loadPointer(paths);
        assert.deepEqual(Object.keys(ptr), ['vad']);
        const active = u.activeModelPath('vad')!;
        const activeSha = sha(active);
        assert.equal(activeSha, ptr.vad.sha256, 'pointer and file agree');
        if (PRE_ACTIVATION.has(state)) assert.equal(activeSha, v5Sha, 'old bundle kept when interrupted before activation');
        else assert.ok(activeSha === v5Sha || activeSha === v6Sha);
        assert.deepEqual(leftovers(dataDir), []);
        const slots = readdirSync(paths.roleDir('vad')).sort();
        const allowed = new Set([ptr.vad.slot, st.previous?.vad?.slot].filter(Boolean));
        for (const s of slots) assert.ok(allowed.has(s as 'a' | 'b'), `slot ${s} is referenced`);
        assert.ok(existsSync(active));
      } finally {
        if (kind === 'enospc') execFileSync('umount', [caseDir]);
        rmSync(caseDir, { recursive: true, force: true });
      }
    });
  }
}
});
