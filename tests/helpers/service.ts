/**
 * Runs `parley run` (the built CLI) as a real child process with a config written to a temp
 * dir, collecting its JSON log lines.
 *   const svc = await startService({ yaml: 'audio:\n  source: file\n...', env })
 *   await svc.waitFor((l) => l.msg === 'supervisor.ready')
 *   svc.logs (parsed records), await svc.stop('SIGTERM') → { code, signal, ms }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, requireBuilt } from './cli.js';

export interface Service {
  dir: string;
  dbPath: string;
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  cleanup(): void;
}

export async function startService(o: { yaml: string; env?: NodeJS.ProcessEnv; dir?: string }): Promise<Service> {
  requireBuilt();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'parley-svc-'));
  const dbPath = join(dir, 'parley.db');
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, `storage:\n  db_path: ${dbPath}\n  audio_dir: ${join(dir, 'audio')}\n${o.yaml}\n`);
  const proc = spawn(process.execPath, [CLI, 'run', '--config', cfg], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let err = '';
  let buf = '';
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        logs.push(rec);
        for (const w of [...waiters]) if (w.pred(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      } catch {
        err += `[non-JSON stdout] ${line}\n`;
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => proc.on('exit', (c, s) => r([c, s])));
  return {
    dir, dbPath, proc, logs,
    stderr: () => err,
    waitFor(pred, timeoutMs = 60000) {
      const hit = logs.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for a log record; last: ${JSON.stringify(logs.slice(-5))}; stderr: ${err.slice(-2000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => { clearTimeout(t); resolve(l); } });
        void exited.then(([c, s]) => { clearTimeout(t); reject(new Error(`service exited (${c}, ${s}) while waiting; stderr: ${err.slice(-2000)}`)); });
      });
    },
    async stop(signal = 'SIGTERM') {
      const t0 = performance.now();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const [code, sig] = await exited;
      return { code, signal: sig, ms: performance.now() - t0 };
    },
    cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
