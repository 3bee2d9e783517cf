/**
 * A private Mosquitto broker for tests (never the system broker on 1883).
 *
 *   const broker = await MosquittoBroker.start({ persistence: true });
 *   broker.url            // 'mqtt://127.0.0.1:<free port>'
 *   broker.port, broker.dir (temp dir with mq.conf, mosquitto.log, persistence db)
 *   await broker.stop()            // SIGTERM, wait for exit (graceful: persistence saved)
 *   await broker.kill('SIGKILL')   // any signal, wait for exit
 *   await broker.restart()         // start again on the same port and persistence dir
 *   broker.running                 // true while the process is alive
 *   await broker.cleanup()         // SIGKILL if still running, remove the temp dir
 *   await MosquittoBroker.freePort() // a free 127.0.0.1 port (nothing listening), e.g. for "broker absent"
 *
 * Options: persistence (default false), port (default: a free one), extraConf (lines
 * appended to mq.conf). start() resolves once the port accepts TCP connections (≤ 5 s)
 * and fails with the log tail otherwise. Needs the `mosquitto` binary (apt mosquitto).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BrokerOptions {
  persistence?: boolean;
  port?: number;
  extraConf?: string[];
}

const BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));

export class MosquittoBroker {
  private proc: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number, readonly dir: string, private readonly opts: BrokerOptions) {}

  static async freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const port = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(port));
      });
    });
  }

  static async start(opts: BrokerOptions = {}): Promise<MosquittoBroker> {
    if (!BIN) throw new Error('mosquitto not found: install it (apt-get install mosquitto; see scripts/install-system-deps.sh)');
    const port = opts.port ?? await MosquittoBroker.freePort();
    if (port === 1883) throw new Error('refusing to use the system broker port 1883');
    const dir = mkdtempSync(join(tmpdir(), 'parley-mq-'));
    const b = new MosquittoBroker(port, dir, opts);
    writeFileSync(join(dir, 'mq.conf'), [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'user root',
      `persistence ${opts.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      `log_dest file ${join(dir, 'mosquitto.log')}`,
      'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
      'max_queued_messages 100000',
      ...(opts.extraConf ?? []),
      '',
    ].join('\n'));
    await b.launch();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'mosquitto.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private async launch(): Promise<void> {
    const proc = spawn(BIN!, ['-c', join(this.dir, 'mq.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (!this.running) break;
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`mosquitto did not start on port ${this.port}: ${stderr}\n${this.log().slice(-2000)}`);
  }

  /** Graceful stop (SIGTERM): with persistence on, the broker saves its database. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.proc!.kill(signal);
    const t = setTimeout(() => this.proc?.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Start again after stop()/kill() (same port, same persistence dir). */
  async startAgain(): Promise<void> {
    if (this.running) return;
    await this.launch();
  }

  async cleanup(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
