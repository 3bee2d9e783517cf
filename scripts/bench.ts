// npm run bench: runs every scripts/bench/<area>.ts (each exports `run(): Promise<BenchRow[]>`),
// prints one table and writes bench-results/bench-<timestamp>.json. All figures come from this one run.
// Usage: npm run bench [-- --only area1,area2] [-- --out FILE]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchRow {
  area: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  note?: string;
}

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: npm run bench [-- --only AREA[,AREA]] [-- --out FILE]\nRuns scripts/bench/*.ts, prints a table, writes JSON to bench-results/.');
  process.exit(0);
}
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : undefined;
const outIdx = args.indexOf('--out');
const dir = new URL('./bench/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).sort();
const rows: BenchRow[] = [];
const failures: string[] = [];
for (const f of files) {
  const area = f.replace(/\.ts$/, '');
  if (only && !only.includes(area)) continue;
  process.stderr.write(`bench: ${area} ...\n`);
  const t0 = performance.now();
  try {
    const mod = (await import(new URL(f, dir).href)) as { run: () => Promise<BenchRow[]> };
    rows.push(...(await mod.run()));
    process.stderr.write(`bench: ${area} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    failures.push(`${area}: ${(e as Error).message}`);
    process.stderr.write(`bench: ${area} FAILED: ${(e as Error).stack}\n`);
  }
}
const head = ['area', 'metric', 'value', 'unit', 'target', 'note'];
const table = rows.map((r) => [r.area, r.metric, fmt(r.value), r.unit, r.target ?? '', r.note ?? '']);
const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (r: string[]): string => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
console.log(line(head));
console.log(w.map((n) => '-'.repeat(n)).join('  '));
for (const t of table) console.log(line(t));
const out = outIdx >= 0 ? args[outIdx + 1] : join('bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMb: Math.round(totalmem() / 1048576), node: process.version }, rows, failures }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} bench area(s) failed:\n${failures.join('\n')}`);
  process.exit(1);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3);
}
