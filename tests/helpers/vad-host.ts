import { WorkerHost } from '../../src/inference/worker-host.js';
import { silentLogger } from '../../src/util/logger.js';

/** A real forked inference child (bounded timeouts) for VAD tests. */
export function vadHost(over: Partial<ConstructorParameters<typeof WorkerHost>[0]> = {}): WorkerHost {
  return new WorkerHost({
    requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 3, restartWindowMs: 60000, threads: 1,
    logger: silentLogger().root, ...over,
  });
}
