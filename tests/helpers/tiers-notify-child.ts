/**
 * Child fixture for the watchdog-gating test: a capture stand-in beats Health every 32 ms,
 * stalls between STALL_AT_MS and RESUME_AT_MS, and the real SdNotifier + Health decide pings.
 * Prints "STALL <wall ms>" / "RESUME <wall ms>"; SIGTERM → STOPPING=1 and a clean exit.
 */
import { SdNotifier } from '../../src/platform/sd-notify.js';
import { Health } from '../../src/supervisor/health.js';

const stallAt = Number(process.env.STALL_AT_MS ?? 3000);
const resumeAt = Number(process.env.RESUME_AT_MS ?? 6000);
const notifier = new SdNotifier();
const health = new Health();
health.watch('capture', 1000);
const t0 = performance.now();
let stalled = false;
const frames = setInterval(() => {
  const t = performance.now() - t0;
  const nowStalled = t >= stallAt && t < resumeAt;
  if (nowStalled !== stalled) console.log(`${nowStalled ? 'STALL' : 'RESUME'} ${Date.now()}`);
  stalled = nowStalled;
  if (!stalled) health.beat('capture');
}, 32);
health.beat('capture');
notifier.ready('capturing');
health.start(notifier, notifier.watchdogIntervalMs() ?? 1000);
process.on('SIGTERM', () => {
  clearInterval(frames);
  health.stop();
  notifier.stopping('shutting down');
  void notifier.close().then(() => process.exit(0));
});
setTimeout(() => undefined, 60_000);
