/**
 * src/platform/sd-notify.ts: systemd notifications (sd_notify(3) protocol:
 * https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html).
 *
 * Node has no AF_UNIX datagram sockets. Choice: a long-lived `/usr/bin/python3` relay child
 * that owns one SOCK_DGRAM socket and sends one datagram per JSON line we write to its stdin.
 *  - Why not `systemd-notify` per message: the sender exits immediately, so systemd often
 *    cannot attribute the datagram to our cgroup (the classic race, only closed by pidfd
 *    support in systemd ≥ 254-256, newer than Raspberry Pi OS bookworm's 252) and each ping
 *    costs a fork+exec on a Pi.
 *  - Why not socat: not on a stock Raspberry Pi OS / JetPack image; python3 is on both.
 *  - Why not a native module (z2m's unix-dgram): a prebuilt per arch and a node-gyp build.
 * The relay lives as long as we do and sits in our cgroup, so the unit needs
 * `NotifyAccess=all` (messages come from a child, not the main PID). It exits on stdin EOF,
 * so it dies with us. No-op without NOTIFY_SOCKET (not under systemd, or tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

const RELAY = [
  'import json, os, socket, sys',
  "a = os.environ['NOTIFY_SOCKET']",
  "a = '\\0' + a[1:] if a.startswith('@') else a",
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  'for line in sys.stdin:',
  '    try:',
  '        s.sendto(json.loads(line).encode(), a)',
  '    except Exception as e:',
  "        sys.stderr.write('sd-notify relay: %s\\n' % e)",
  '        sys.stderr.flush()',
].join('\n');

export interface SdNotifierOptions {
  env?: NodeJS.ProcessEnv;
  python?: string;
  log?: Logger;
}

export class SdNotifier {
  private child: ChildProcess | undefined;
  private readonly socket: string | undefined;
  private readonly watchdogUsec: number | undefined;
  private readonly log: Logger | undefined;
  private relayDeadLogged = false;

  constructor(opts: SdNotifierOptions = {}) {
    const env = opts.env ?? process.env;
    this.log = opts.log;
    this.socket = env.NOTIFY_SOCKET || undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const pidOk = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
    this.watchdogUsec = Number.isFinite(usec) && usec > 0 && pidOk ? usec : undefined;
    if (!this.socket) return;
    const python = opts.python ?? '/usr/bin/python3';
    const child = spawn(python, ['-c', RELAY], { stdio: ['pipe', 'ignore', 'pipe'], env: { NOTIFY_SOCKET: this.socket, PATH: env.PATH ?? '/usr/bin:/bin' } });
    child.on('error', (e) => this.log?.error({ err: e, python }, 'sdnotify.relay_failed'));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.log?.warn({ detail: d.trim() }, 'sdnotify.send_failed'));
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    this.child = child;
  }

  /** True when running under systemd with a notify socket. */
  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /** Half of WATCHDOG_USEC in ms (sd_watchdog_enabled(3) recommendation); undefined when no watchdog is armed for us. */
  watchdogIntervalMs(): number | undefined {
    return this.watchdogUsec === undefined ? undefined : this.watchdogUsec / 2000;
  }

  /** Send one message (newline-separated assignments), e.g. `READY=1\nSTATUS=running`. */
  notify(message: string): void {
    if (!this.child) return;
    if (this.child.exitCode !== null || this.child.stdin?.destroyed) {
      // Not thrown: a dead relay must not crash the service; systemd's watchdog will restart us and this line says why.
      if (!this.relayDeadLogged) this.log?.error({ err: new AppError('INTERNAL', 'sd-notify relay is not running', { hint: 'python3 must be installed at /usr/bin/python3 (apt-get install python3-minimal)' }) }, 'sdnotify.relay_dead');
      this.relayDeadLogged = true;
      return;
    }
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  ready(status?: string): void {
    this.notify(status ? `READY=1\nSTATUS=${oneLine(status)}` : 'READY=1');
  }

  watchdog(): void {
    this.notify('WATCHDOG=1');
  }

  stopping(status?: string): void {
    this.notify(status ? `STOPPING=1\nSTATUS=${oneLine(status)}` : 'STOPPING=1');
  }

  status(text: string): void {
    this.notify(`STATUS=${oneLine(text)}`);
  }

  /** Flush pending messages and end the relay (bounded wait). */
  async close(timeoutMs = 2000): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    if (c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        c.kill('SIGKILL');
        resolve();
      }, timeoutMs);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.stdin?.end();
    });
  }
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');
