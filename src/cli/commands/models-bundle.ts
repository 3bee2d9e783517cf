import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { loadConfig } from '../../config/load.js';
import { writeBundle } from '../../ota/bundle-file.js';
import { parleyPackageVersion } from '../../ota/cli-support.js';
import { runGoldenCases } from '../../ota/golden.js';
import { keyIdOf, parsePrivateKey, rawPublicKey } from '../../ota/keys.js';
import { parseManifest, signManifest, type BundleManifest } from '../../ota/manifest.js';
import { createPublicKey } from 'node:crypto';
import { UsageError } from '../../util/errors.js';
import { stderrLogger } from '../../util/logger.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
    else throw new UsageError(`${p} is not a regular file (symlinks and devices cannot be bundled)`);
  }
  return out.sort();
}

const command: Command = {
  name: 'models bundle',
  summary: 'build and sign an OTA model bundle (runs the golden cases to record expectations)',
  help: [
    'usage: parley models bundle SRC_DIR --key PRIVATE_KEY --out FILE.bundle --version V [options]',
    '',
    'Packs every regular file of SRC_DIR, records size and sha256 of each, runs the model on',
    'each golden WAV (16 kHz mono 16-bit, in SRC_DIR) in a fresh inference child to record the',
    'expected outputs, signs the canonical manifest with the Ed25519 key and writes one file.',
    '',
    'options:',
    '  --key F                 Ed25519 private key (PEM) from `parley models keygen`',
    '  --out F                 bundle file to write',
    '  --version V             semantic version of the bundle (required)',
    '  --role R                role (default vad)',
    '  --family F              model family (default silero)',
    '  --name N                bundle name (default <family>-<role>-<version>)',
    '  --model PATH            model file inside SRC_DIR (default: the only .onnx file)',
    '  --golden A.wav,B.wav    golden audio inside SRC_DIR (default: every .wav file)',
    '  --tolerance X           max abs difference per output (default 0.01)',
    '  --latency-ms N          latency budget per golden case (default 20000)',
    '  --rss-mb N              inference child RSS budget (default 1024)',
    '  --device-classes a,b    compatible device classes (default *)',
    '  --min-parley-version V  default: this parley version',
    '  --config F              config (inference threads)',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, {
      key: 'string', out: 'string', version: 'string', role: 'string', family: 'string', name: 'string', model: 'string',
      golden: 'string', tolerance: 'string', 'latency-ms': 'string', 'rss-mb': 'string', 'device-classes': 'string',
      'min-parley-version': 'string', config: 'string',
    });
    if (positionals.length !== 1) throw new UsageError('models bundle needs exactly one SRC_DIR');
    const str = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
    const key = str('key');
    const out = str('out');
    const version = str('version');
    if (!key || !out || !version) throw new UsageError('models bundle needs --key, --out and --version');
    const src = positionals[0];
    if (!statSync(src).isDirectory()) throw new UsageError(`${src} is not a directory`);
    const priv = parsePrivateKey(readFileSync(key, 'utf8'));
    const role = str('role') ?? 'vad';
    const family = str('family') ?? 'silero';
    const paths = listFiles(src);
    const onnx = paths.filter((p) => p.endsWith('.onnx'));
    const model = str('model') ?? (onnx.length === 1 ? onnx[0] : undefined);
    if (!model) throw new UsageError(`choose the model file with --model (found ${onnx.length} .onnx files)`);
    const goldens = str('golden')?.split(',') ?? paths.filter((p) => p.endsWith('.wav'));
    if (goldens.length === 0) throw new UsageError('a bundle needs at least one golden WAV (--golden)');
    const num = (k: string, d: number): number => {
      const v = Number(str(k) ?? d);
      if (!Number.isFinite(v)) throw new UsageError(`--${k} must be a number`);
      return v;
    };
    const files = paths.map((p) => {
      const data = readFileSync(join(src, p));
      return { path: p, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    });
    const m: BundleManifest = {
      format: 1, bundle_id: `${family}-${role}-${version}`.replace(/[^A-Za-z0-9_.-]/g, '_'), version,
      roles: [{ role, family, bundle_name: str('name') ?? `${family}-${role}-${version}`, model }], files,
      min_parley_version: str('min-parley-version') ?? parleyPackageVersion(),
      device_classes: (str('device-classes') ?? '*').split(','), created: new Date().toISOString(),
      golden: goldens.map((g) => ({
        name: g.replace(/\.wav$/, '').replace(/[^A-Za-z0-9_.-]/g, '_'), role, audio: g, expected: {},
        tolerance: num('tolerance', 0.01), budgets: { latency_ms: num('latency-ms', 20000), rss_mb: num('rss-mb', 1024) },
      })),
      key_id: keyIdOf(rawPublicKey(createPublicKey(priv))),
    };
    parseManifest(Buffer.from(JSON.stringify(m))); // same validation as the device
    const { config } = loadConfig(str('config'));
    process.stderr.write(`running ${m.golden.length} golden case(s) in a fresh inference child\n`);
    const results = await runGoldenCases(m, src, {
      threads: config.inference.intra_op_threads, loadTimeoutMs: config.ota.golden_timeout_ms,
      requestTimeoutMs: config.ota.golden_timeout_ms, logger: stderrLogger().root,
    });
    m.golden.forEach((g, i) => {
      g.expected = { probabilities: results[i].probabilities.map((p) => Math.round(p * 1e6) / 1e6) };
    });
    writeBundle(out, m, signManifest(m, priv), src);
    process.stdout.write(`${out}: ${m.bundle_id} ${m.version}, ${files.length} files, key ${m.key_id}\n`);
    return 0;
  },
};
export default command;
