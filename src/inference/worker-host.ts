import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AppError, InferenceTimeoutError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { EngineSpec, FromWorker, ToWorker, WireError } from './ipc-protocol.js';
import { RestartPolicy } from './restart-policy.js';

export interface WorkerHostOptions {
  requestTimeoutMs: number;
  loadTimeoutMs: number;
  maxRestarts: number;
  restartWindowMs: number;
  threads: number;
  logger: Logger;
  /** Extra environment for the child (tests use PARLEY_TEST_FAULTS). */
  env?: NodeJS.ProcessEnv;
}

export type WorkerState = 'stopped' | 'starting' | 'running' | 'restarting' | 'degraded';

export interface WorkerHealth {
  state: WorkerState;
  pid: number | undefined;
  restartsInWindow: number;
  totalRestarts: number;
  pending: number;
  /** performance.now() of the last answer from the child (0 = never). */
  lastReplyMonoMs: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  op: string;
}

/**
 * Supervisor side of the inference child: forks it, loads engines, sends requests with
 * timeouts, restarts it (rate-limited) when it crashes or hangs and reloads every engine
 * afterwards. After too many restarts it stays `degraded` and rejects calls with
 * INFERENCE_UNAVAILABLE instead of crash-looping.
 *
 * Events: 'restarted' ({reason}), 'degraded' ({reason}), 'ready'.
 */
export class WorkerHost extends EventEmitter {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly specs = new Map<string, EngineSpec>();
  private readonly policy: RestartPolicy;
  private stateValue: WorkerState = 'stopped';
  private totalRestarts = 0;
  private lastReply = 0;
  private stopping = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly opts: WorkerHostOptions) {
    super();
    this.policy = new RestartPolicy(opts.maxRestarts, opts.restartWindowMs);
  }

  get state(): WorkerState {
    return this.stateValue;
  }

  health(): WorkerHealth {
    return {
      state: this.stateValue,
      pid: this.child?.pid,
      restartsInWindow: this.policy.recent(),
      totalRestarts: this.totalRestarts,
      pending: this.pending.size,
      lastReplyMonoMs: this.lastReply,
    };
  }

  /** Fork the child and wait until it reports ready. */
  async start(): Promise<void> {
    this.stopping = false;
    this.stateValue = 'starting';
    await this.spawn();
    this.stateValue = 'running';
  }

  /** Load (or replace) an engine; it is reloaded automatically after every restart. */
  async load(engineId: string, spec: EngineSpec): Promise<void> {
    await this.send({ type: 'load', id: 0, engineId, spec, threads: this.opts.threads }, this.opts.loadTimeoutMs, `load ${engineId}`);
    this.specs.set(engineId, spec);
  }

  async unload(engineId: string): Promise<void> {
    this.specs.delete(engineId);
    if (this.stateValue === 'running') await this.send({ type: 'unload', id: 0, engineId }, this.opts.requestTimeoutMs, `unload ${engineId}`);
  }

  /** Call a method on a loaded engine. Rejects with a typed AppError on timeout or crash. */
  async call<T = unknown>(engineId: string, method: string, args: unknown[] = [], timeoutMs?: number): Promise<T> {
    if (this.starting) await this.starting;
    return (await this.send(
      { type: 'call', id: 0, engineId, method, args },
      timeoutMs ?? this.opts.requestTimeoutMs,
      `${engineId}.${method}`,
    )) as T;
  }

  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      await this.send({ type: 'ping', id: 0 }, timeoutMs, 'ping');
      return true;
    } catch {
      return false;
    }
  }

  /** Stop the child: SIGTERM, then SIGKILL after graceMs. Always reaps it. */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.child = undefined;
    this.stateValue = 'stopped';
    this.rejectAll(new AppError('ABORTED', 'inference stopped'));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private send(msg: ToWorker, timeoutMs: number, op: string): Promise<unknown> {
    if (this.stateValue === 'degraded') {
      return Promise.reject(new AppError('INFERENCE_UNAVAILABLE', 'inference is disabled after too many restarts', {
        hint: 'see the inference.restarted log records for the cause; restart parley after fixing it',
      }));
    }
    const child = this.child;
    if (!child || !child.connected) {
      return Promise.reject(new AppError('INFERENCE_UNAVAILABLE', 'inference child is not running', { retryable: true }));
    }
    const id = this.nextId++;
    const out = { ...msg, id } as ToWorker;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new InferenceTimeoutError(op, timeoutMs));
        this.opts.logger.error({ op, timeoutMs }, 'inference.stuck');
        this.restart(`request ${op} timed out after ${timeoutMs} ms`);
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, op });
      child.send(out, (err) => {
        if (err && this.pending.has(id)) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(new AppError('INFERENCE_UNAVAILABLE', `could not send to inference child: ${err.message}`, { retryable: true }));
        }
      });
    });
  }

  private spawn(): Promise<void> {
    const here = fileURLToPath(import.meta.url);
    const isTs = here.endsWith('.ts');
    const entry = here.replace(/worker-host\.(ts|js)$/, isTs ? 'worker-main.ts' : 'worker-main.js');
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv: isTs ? ['--import', 'tsx'] : [],
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    const ready = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new AppError('INFERENCE_UNAVAILABLE', `inference child did not start within ${this.opts.loadTimeoutMs} ms`, { retryable: true }));
      }, this.opts.loadTimeoutMs);
      const onMsg = (m: FromWorker): void => {
        if (m.type === 'ready') {
          clearTimeout(t);
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code, sig) => {
        clearTimeout(t);
        reject(new AppError('INFERENCE_CRASHED', `inference child exited during start (code ${code}, signal ${sig})`, { retryable: true }));
      });
    });
    child.on('message', (m: FromWorker) => this.onMessage(m));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.rejectAll(new AppError('INFERENCE_CRASHED', `inference child exited (code ${code}, signal ${signal})`, { retryable: true }));
      if (!this.stopping) this.restart(`child exited (code ${code}, signal ${signal})`);
    });
    return ready;
  }

  private onMessage(m: FromWorker): void {
    this.lastReply = performance.now();
    if (m.type === 'log') {
      this.opts.logger[m.level](m.fields ?? {}, m.msg);
      return;
    }
    if (m.type !== 'result' && m.type !== 'error') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.type === 'result') p.resolve(m.value);
    else p.reject(fromWire(m.error));
  }

  private rejectAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  private restart(reason: string): void {
    if (this.stopping || this.starting) return;
    const old = this.child;
    this.child = undefined;
    if (old && old.exitCode === null && old.signalCode === null) old.kill('SIGKILL');
    this.rejectAll(new AppError('INFERENCE_CRASHED', `inference restarted: ${reason}`, { retryable: true }));
    if (!this.policy.allow()) {
      this.stateValue = 'degraded';
      this.opts.logger.error({ reason, maxRestarts: this.opts.maxRestarts, windowMs: this.opts.restartWindowMs }, 'inference.degraded');
      this.emit('degraded', { reason });
      return;
    }
    this.stateValue = 'restarting';
    this.totalRestarts++;
    this.starting = (async () => {
      try {
        await this.spawn();
        this.stateValue = 'running';
        for (const [engineId, spec] of this.specs) {
          await this.send({ type: 'load', id: 0, engineId, spec, threads: this.opts.threads }, this.opts.loadTimeoutMs, `reload ${engineId}`);
        }
        this.opts.logger.warn({ reason, totalRestarts: this.totalRestarts }, 'inference.restarted');
        this.emit('restarted', { reason });
      } catch (e) {
        this.opts.logger.error({ err: (e as Error).message }, 'inference.restart_failed');
        this.starting = undefined;
        this.restart(`restart failed: ${(e as Error).message}`);
        return;
      }
      this.starting = undefined;
    })();
  }
}

function fromWire(w: WireError): AppError {
  const err = new AppError(w.code as AppError['code'], w.message, { retryable: w.retryable, hint: w.hint });
  if (w.file) (err as { file?: string }).file = w.file;
  return err;
}
