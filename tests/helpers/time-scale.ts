/**
 * One factor for every hang guard in the suite. Tests never assert how long something took;
 * they wait for an event and give up after a generous guard so a hung test fails instead of
 * hanging CI. A slow board sets PARLEY_TEST_TIME_SCALE=4 (default 1) and every guard grows.
 */
const raw = Number(process.env.PARLEY_TEST_TIME_SCALE ?? '1');

/** The scale factor (≥ 1; malformed values fall back to 1 with a warning on stderr). */
export const TIME_SCALE = Number.isFinite(raw) && raw >= 1 ? raw : 1;
if (TIME_SCALE !== raw && process.env.PARLEY_TEST_TIME_SCALE !== undefined) {
  process.stderr.write(`PARLEY_TEST_TIME_SCALE=${process.env.PARLEY_TEST_TIME_SCALE} is not a number ≥ 1; using 1\n`);
}

/** A hang guard of `ms` milliseconds, scaled by PARLEY_TEST_TIME_SCALE. */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}
