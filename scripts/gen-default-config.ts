// Regenerates config/default.yaml from the config schema (the single source of truth).
// Usage: npm run config:docs   (--check: exit 1 if the committed file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { renderDefaultYaml } from '../src/config/describe.js';

const target = new URL('../config/default.yaml', import.meta.url);
const text = renderDefaultYaml();
if (process.argv.includes('--help')) {
  console.log('usage: npm run config:docs [-- --check]\nRegenerates config/default.yaml from src/config/schema.ts.');
  process.exit(0);
}
if (process.argv.includes('--check')) {
  const cur = readFileSync(target, 'utf8');
  if (cur !== text) {
    console.error('config/default.yaml is out of date: run `npm run config:docs`');
    process.exit(1);
  }
  console.log('config/default.yaml is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
