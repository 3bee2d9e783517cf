// Processes inside a built rootfs, started through image/lib/in-rootfs.sh (chroot, or proot +
// qemu-aarch64-static). proot has no PID namespace: the guest's $$ is a host PID, so a
// long-running guest process writes it to a pid file and is signalled by that PID directly
// (signals sent to proot itself are not forwarded).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const IN_ROOTFS = resolve(import.meta.dirname, '..', '..', 'image', 'lib', 'in-rootfs.sh');

export interface GuestResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command in the rootfs to completion; killed (with its proot) after timeoutMs. */
export function inRootfs(rootfs: string, cmd: string[], timeoutMs: number): Promise<GuestResult> {
  return new Promise((res) => {
    const p = spawn('bash', [IN_ROOTFS, rootfs, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs);
    p.on('exit', (code) => { clearTimeout(t); res({ code, stdout, stderr }); });
  });
}

/** A long-running guest process (broker, service) that can be signalled by its guest PID. */
export class GuestProcess {
  private readonly proc: ChildProcess;
  private out = '';
  private exitCode: number | null | undefined;
  private readonly done: Promise<number | null>;

  constructor(private readonly rootfs: string, private readonly pidFile: string, cmd: string[]) {
    const quoted = cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.proc = spawn('bash', [IN_ROOTFS, rootfs, 'sh', '-c', `echo $$ > ${pidFile}; exec ${quoted}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.proc.stdout!.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-200_000)));
    this.proc.stderr!.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-200_000)));
    this.done = new Promise((r) => this.proc.on('exit', (code) => { this.exitCode = code; r(code); }));
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  output(): string {
    return this.out;
  }

  /** The host PID of the guest process (undefined until it wrote its pid file). */
  guestPid(): number | undefined {
    const f = join(this.rootfs, this.pidFile);
    if (!existsSync(f)) return undefined;
    const pid = Number(readFileSync(f, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  }

  /** Signals the guest process; resolves with the exit code proot reports (the guest's). */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
    if (this.exited) return this.exitCode ?? null;
    const pid = this.guestPid();
    if (pid !== undefined) {
      try { process.kill(pid, signal); } catch { /* already gone */ }
    } else {
      try { process.kill(-this.proc.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
    const t = setTimeout(() => { try { process.kill(-this.proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    const code = await this.done;
    clearTimeout(t);
    return code;
  }
}
