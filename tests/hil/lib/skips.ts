/**
 * tests/hil/lib/skips.ts — skip bookkeeping for the hardware-in-the-loop suite.
 *
 * A HIL check that cannot run (no microphone, no board, no thermal zones) is reported as
 * SKIPPED through node:test's `t.skip(reason)` — never as passed — and the reason is printed
 * on stderr. The suite's last test fails when every check was skipped (a run that proved
 * nothing), unless PARLEY_HIL_ALLOW_SKIP=1.
 */
import type { TestContext } from 'node:test';

const ran: string[] = [];
const skipped: Array<{ name: string; reason: string }> = [];

/** Mark the current test skipped with a reason. Call `return` right after it. */
export function hilSkip(t: TestContext, reason: string): void {
  skipped.push({ name: t.name, reason });
  process.stderr.write(`HIL SKIP ${t.name}: ${reason}\n`);
  t.skip(reason);
}

/** Mark the current test as having exercised real (or emulated) hardware. */
export function hilRan(t: TestContext): void {
  ran.push(t.name);
}

export function hilTally(): { ran: string[]; skipped: Array<{ name: string; reason: string }> } {
  return { ran: [...ran], skipped: [...skipped] };
}

/** Print a line for the person at the bench (stderr, so TAP on stdout stays clean). */
export function hilPrompt(text: string): void {
  process.stderr.write(`\n>>> HIL: ${text}\n`);
}
