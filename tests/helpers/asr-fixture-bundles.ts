/**
 * A temporary models directory holding the tiny Whisper/Moonshine test fixtures as
 * manifest bundles (with their real sizes and sha256), so that tests exercise the real
 * model-store verification and createRecognizer path. Test data only.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './asr-eval.js';

const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'asr');

const BUNDLES: Record<string, { family: string; precision: 'fp32' | 'int8'; files: string[] }> = {
  'fixture-whisper-fp32': { family: 'whisper', precision: 'fp32', files: ['whisper/tiny-encoder.onnx', 'whisper/tiny-decoder.onnx', 'whisper/tiny-tokens.txt'] },
  'fixture-whisper-int8': { family: 'whisper', precision: 'int8', files: ['whisper/tiny-encoder.int8.onnx', 'whisper/tiny-decoder.int8.onnx', 'whisper/tiny-tokens.txt'] },
  'fixture-zipformer-streaming-int8': {
    family: 'zipformer-transducer', precision: 'int8',
    // int8 encoder/joiner with the fp32 decoder, as upstream int8 bundles are used
    files: ['transducer/zipformer-streaming/encoder.int8.onnx', 'transducer/zipformer-streaming/decoder.onnx',
      'transducer/zipformer-streaming/joiner.int8.onnx', 'transducer/zipformer-streaming/tokens.txt'],
  },
  'fixture-parakeet-tdt-int8': {
    family: 'parakeet-tdt', precision: 'int8',
    files: ['encoder', 'decoder', 'joiner'].map((r) => `transducer/parakeet-tdt/${r}.int8.onnx`).concat('transducer/parakeet-tdt/tokens.txt'),
  },
  'fixture-moonshine-int8': {
    family: 'moonshine', precision: 'int8',
    files: ['moonshine/preprocess.onnx', 'moonshine/encode.int8.onnx', 'moonshine/uncached_decode.int8.onnx', 'moonshine/cached_decode.int8.onnx', 'moonshine/tokens.txt'],
  },
  'fixture-moonshine-v2-int8': {
    family: 'moonshine', precision: 'int8',
    files: ['moonshine/v2/encoder_model.ort', 'moonshine/v2/decoder_model_merged.ort', 'moonshine/v2/tokens.txt'],
  },
};

export interface FixtureModels {
  dir: string;
  manifest: string;
  names: string[];
  cleanup(): void;
}

export function fixtureModels(): FixtureModels {
  const dir = mkdtempSync(join(tmpdir(), 'parley-asr-models-'));
  const bundles: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(BUNDLES)) {
    mkdirSync(join(dir, name), { recursive: true });
    const files = b.files.map((rel) => {
      const dst = join(dir, name, basename(rel));
      copyFileSync(join(FIX, rel), dst);
      const bytes = readFileSync(dst);
      return {
        path: `${name}/${basename(rel)}`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'),
        sources: [{ type: 'url', url: `https://example.invalid/${name}/${basename(rel)}` }],
      };
    });
    bundles[name] = { role: 'asr-offline', family: b.family, precision: b.precision, license: 'MIT', description: `test fixture ${name}`, files };
  }
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ manifest_version: 1, defaults: [], bundles }, null, 1));
  return { dir, manifest, names: Object.keys(BUNDLES), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
