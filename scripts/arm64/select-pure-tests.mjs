#!/usr/bin/env node
// Lists the compiled unit tests that can run under qemu-user: their transitive imports use no
// native addon except onnxruntime-node (better-sqlite3 has no arm64 build here) and start no
// child processes (qemu-user cannot exec an arm64 binary without binfmt_misc).
// Usage: node scripts/arm64/select-pure-tests.mjs DIR   (prints paths relative to DIR)
// DIR is the compiled tree (tests/unit/**/*.test.js) or the repository itself (*.test.ts, whose
// './x.js' imports resolve to x.ts): the latter is the lane's smoke in npm test.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const build = process.argv[2];
if (!build || process.argv.includes('--help')) {
  console.error('usage: node select-pure-tests.mjs BUILD_DIR');
  process.exit(2);
}
const FORBIDDEN = [
  [/^(node:)?child_process$/, 'starts child processes'],
  [/^better-sqlite3$/, 'better-sqlite3 (no arm64 build)'],
  [/^@serialport\/bindings-cpp$/, 'serialport native binding'],
  [/^mqtt$/, 'needs a broker process'],
];
// Tests whose assertions count real timer ticks inside a fixed wall-clock window: under
// emulation (5-30x slower, on a shared machine) they measure the emulator, not the code.
const WALL_CLOCK = new Map([
  ['tests/unit/jobs/scheduler.test', 'counts real 1 s cron ticks inside a 3.3 s wall-clock window'],
]);
const cache = new Map();
function reasons(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  if (cache.has(file)) return cache.get(file);
  const src = readFileSync(file, 'utf8');
  const out = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) {
      let dep = resolve(dirname(file), spec);
      if (!existsSync(dep) && dep.endsWith('.js')) dep = `${dep.slice(0, -3)}.ts`;
      if (existsSync(dep)) out.push(...reasons(dep, seen));
    } else {
      for (const [pat, why] of FORBIDDEN) if (pat.test(spec)) out.push(why);
    }
  }
  const uniq = [...new Set(out)];
  cache.set(file, uniq);
  return uniq;
}
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('.test.js') || n.endsWith('.test.ts')) files.push(p);
  }
};
walk(join(build, 'tests', 'unit'));
for (const f of files) {
  const timing = WALL_CLOCK.get(relative(build, f).replace(/\.(js|ts)$/, ''));
  const r = timing ? [timing] : reasons(f);
  if (r.length === 0) console.log(relative(build, f));
  else console.error(`  skip ${relative(build, f)}: ${r.join(', ')}`);
}
