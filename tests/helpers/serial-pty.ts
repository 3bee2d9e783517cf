/**
 * A virtual serial cable: `socat` joins two pseudo-terminals, `<dir>/ttyV0` (parley's side)
 * and `<dir>/ttyV1` (the test plays the board there). `unplug()` kills socat (parley sees
 * EIO/close); `plug()` starts it again with the same link names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  dir: string;
  hostPath: string;
  boardPath: string;
  plug(): Promise<void>;
  unplug(): Promise<void>;
  close(): Promise<void>;
}

export function requireSocat(): void {
  if (spawnSync('socat', ['-V']).error) throw new Error('socat is not installed: run scripts/install-system-deps.sh (apt-get install socat)');
}

export async function createPtyPair(): Promise<PtyPair> {
  requireSocat();
  const dir = mkdtempSync(join(tmpdir(), 'parley-pty-'));
  const hostPath = join(dir, 'ttyV0');
  const boardPath = join(dir, 'ttyV1');
  let proc: ChildProcess | undefined;
  const plug = async (): Promise<void> => {
    proc = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${boardPath}`], { stdio: 'ignore' });
    const t0 = Date.now();
    while (!(existsSync(hostPath) && existsSync(boardPath))) {
      if (Date.now() - t0 > 5000) throw new Error('socat did not create the pty pair within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const unplug = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
    rmSync(hostPath, { force: true });
    rmSync(boardPath, { force: true });
  };
  await plug();
  return { dir, hostPath, boardPath, plug, unplug, close: async () => { await unplug(); rmSync(dir, { recursive: true, force: true }); } };
}
