/**
 * src/audio/restart-backoff.ts — exponential backoff with "equal jitter":
 * delay = d/2 + random * d/2 where d = min(max, initial * 2^(attempt-1)).
 * Jitter keeps several devices that lost power together from restarting in lock-step.
 */
export function restartDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
