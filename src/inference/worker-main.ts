/**
 * Entry point of the inference child process. All onnxruntime work happens here so a
 * native abort or a bad model kills only this process, never the supervisor.
 */
import { AppError } from '../util/errors.js';
import type { InferenceEngine } from './engine.js';
import { ENGINE_LOADERS } from './engine-registry.js';
import type { FromWorker, ToWorker, WireError } from './ipc-protocol.js';

const engines = new Map<string, InferenceEngine>();

function send(msg: FromWorker): void {
  if (process.send) process.send(msg);
}

function toWire(e: unknown): WireError {
  if (e instanceof AppError) {
    const file = (e as { file?: string }).file;
    return { code: e.code, message: e.message, retryable: e.retryable, hint: e.hint, file };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'INTERNAL', message: err.message, retryable: false };
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'ping':
      send({ type: 'result', id: msg.id, value: 'pong' });
      return;
    case 'load': {
      const loader = ENGINE_LOADERS[msg.spec.kind];
      if (!loader) throw new AppError('INFERENCE_UNAVAILABLE', `unknown engine kind ${msg.spec.kind}`);
      const factory = await loader();
      const old = engines.get(msg.engineId);
      const engine = await factory(msg.spec.options, { threads: msg.threads });
      engines.set(msg.engineId, engine);
      if (old?.dispose) await old.dispose();
      send({ type: 'result', id: msg.id, value: { loaded: msg.engineId } });
      return;
    }
    case 'unload': {
      const e = engines.get(msg.engineId);
      engines.delete(msg.engineId);
      if (e?.dispose) await e.dispose();
      send({ type: 'result', id: msg.id, value: true });
      return;
    }
    case 'call': {
      const e = engines.get(msg.engineId);
      if (!e) throw new AppError('INFERENCE_UNAVAILABLE', `engine ${msg.engineId} is not loaded`, { retryable: true });
      const value = await e.call(msg.method, msg.args);
      send({ type: 'result', id: msg.id, value });
      return;
    }
    default:
      break;
  }
}

// Requests are served strictly in order: onnxruntime sessions are not re-entrant and the
// supervisor's timeout accounting assumes FIFO service.
let chain: Promise<void> = Promise.resolve();
process.on('message', (raw: unknown) => {
  const msg = raw as ToWorker;
  chain = chain.then(() => handle(msg)).catch((e: unknown) => {
    send({ type: 'error', id: (msg as { id: number }).id, error: toWire(e) });
  });
});

// The supervisor going away (pipe closed) means we must go too: no orphans.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => { /* the supervisor decides when we stop */ });

send({ type: 'ready', pid: process.pid });
