/**
 * Test-only fault hooks: `PARLEY_FAULT=<state>:<kind>` is honoured only when
 * PARLEY_TEST_FAULTS=1 (never in service). Kinds: error (throw), kill (SIGKILL self),
 * hang (never resolve), enospc (fill the data filesystem with a ballast file so the next
 * real write fails with ENOSPC).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../util/errors.js';

export const BALLAST_NAME = '.fault-ballast';

export async function faultPoint(state: string, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.PARLEY_TEST_FAULTS !== '1' || !env.PARLEY_FAULT) return;
  const [where, kind] = env.PARLEY_FAULT.split(':');
  if (where !== state) return;
  process.stderr.write(`ota.fault ${state}:${kind}\n`);
  switch (kind) {
    case 'error':
      throw new AppError('OTA_FAILED', `injected fault at ${state}`);
    case 'kill':
      process.kill(process.pid, 'SIGKILL');
      return hangForever();
    case 'hang':
      return hangForever();
    case 'enospc':
      fillDisk(dataDir);
      return;
    default:
      throw new AppError('USAGE', `unknown fault kind ${kind}`);
  }
}

/** Write zeros until the filesystem is full (bounded by 4 GiB). */
function fillDisk(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const fd = openSync(join(dataDir, BALLAST_NAME), 'w');
  const block = Buffer.alloc(1 << 20);
  try {
    for (let i = 0; i < 4096; i++) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    try {
      for (let i = 0; i < 1 << 20; i++) writeSync(fd, block, 0, 4096);
    } catch { /* full to the last block */ }
  } finally {
    closeSync(fd);
  }
}

/** Synchronous variant for points inside synchronous code (commit). `hang` blocks the thread. */
export function faultPointSync(state: string, dataDir: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.PARLEY_TEST_FAULTS !== '1' || !env.PARLEY_FAULT) return;
  const [where, kind] = env.PARLEY_FAULT.split(':');
  if (where !== state) return;
  process.stderr.write(`ota.fault ${state}:${kind}\n`);
  if (kind === 'error') throw new AppError('OTA_FAILED', `injected fault at ${state}`);
  if (kind === 'kill') process.kill(process.pid, 'SIGKILL');
  if (kind === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  if (kind === 'enospc') fillDisk(dataDir);
}

/** Never resolves, and keeps the event loop alive (an empty loop would let Node exit). */
function hangForever(): Promise<void> {
  return new Promise(() => setInterval(() => undefined, 1 << 30));
}
