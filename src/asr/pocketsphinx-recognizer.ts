/**
 * PocketSphinx behind the OfflineRecognizer interface. Each segment runs one
 * `pocketsphinx_continuous` child process (Debian package `pocketsphinx`, 5prealpha CLI)
 * fed 16 kHz s16le through a private temp file (`-infile x.raw`; /dev/stdin cannot be opened
 * on the socket pair Node uses for pipes), with `-time yes` word timings parsed from stdout
 * (pocketsphinx-output.ts). A crash or hang of the decoder kills only that
 * child; the process is killed on abort and after a timeout scaled to the segment length.
 *
 * Modes: dictation (n-gram LM), grammar (JSGF file) and keyphrase spotting (a kws list
 * written to a private temp file).
 *
 * Cepstral mean normalization: the decoder adapts its CMN estimate while it listens, so a
 * fresh process per short VAD segment starts from the model's generic `-cmninit` and decodes
 * far worse than one long stream (jfk.wav cut into its 4 phrases: 100 % WER vs 36 %). The
 * recognizer therefore carries the estimate across segments, as a live decoder would: it
 * reads the final "cmn_live ... Update to < ... >" vector from the decoder log and passes it
 * to the next run. `-cmninit` on the command line is overridden by the model's feat.params,
 * so each run gets a private model directory (symlinks + a feat.params with the estimate).
 * The very first segment is decoded twice (the first pass only estimates the CMN).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepReadonly } from '../config/schema.js';
import type { AsrConfig } from '../config/sections/asr.js';
import { AppError, ModelMissingError } from '../util/errors.js';
import { parseSphinxOutput } from './pocketsphinx-output.js';
import type { OfflineRecognizer, RecognitionResult } from './recognizer.js';

export type PocketsphinxOptions = DeepReadonly<AsrConfig['pocketsphinx']>;

export const POCKETSPHINX_INSTALL_HINT = 'install it with `sudo apt-get install pocketsphinx pocketsphinx-en-us` (Debian / Raspberry Pi OS)';
const SAMPLE_RATE_HZ = 16000;
const STDERR_TAIL_BYTES = 64 * 1024;
const CMN_UPDATE = /Update to\s+<([^>]*)>/g;

/** Convert float samples (-1..1) to little-endian signed 16-bit PCM. */
export function floatToS16le(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return out;
}

export class PocketsphinxRecognizer implements OfflineRecognizer {
  readonly engine = 'pocketsphinx';
  readonly model: string;
  private tempDir: string | undefined;
  private seq = 0;
  /** Running CMN estimate (comma-separated), null before the first segment. */
  private cmn: string | null = null;

  private constructor(
    private readonly opts: PocketsphinxOptions,
    private readonly args: string[],
    tempDir: string,
    private readonly featParams: string,
    private readonly modelFiles: string[],
  ) {
    this.model = `${opts.mode}:${opts.model_dir.split('/').filter(Boolean).pop() ?? 'en-us'}`;
    this.tempDir = tempDir;
  }

  /** The CMN vector the next segment starts from (for tests and diagnostics). */
  get cmnInit(): string | null {
    return this.cmn;
  }

  /** Validate the binary, model files and mode inputs; write the keyphrase list. */
  static async create(opts: PocketsphinxOptions): Promise<PocketsphinxRecognizer> {
    await checkBinary(opts.binary);
    for (const f of [opts.model_dir, join(opts.model_dir, 'mdef'), opts.dict_file]) {
      if (!existsSync(f)) throw new ModelMissingError(f, { hint: POCKETSPHINX_INSTALL_HINT });
    }
    const featPath = join(opts.model_dir, 'feat.params');
    const featParams = existsSync(featPath) ? await readFile(featPath, 'utf8') : '';
    const modelFiles = (await readdir(opts.model_dir)).filter((f) => f !== 'feat.params');
    const args = ['-time', 'yes', '-dict', opts.dict_file, '-samprate', String(SAMPLE_RATE_HZ)];
    const tempDir = await mkdtemp(join(tmpdir(), 'parley-sphinx-'));
    if (opts.mode === 'dictation') {
      if (!existsSync(opts.lm_file)) throw new ModelMissingError(opts.lm_file, { hint: POCKETSPHINX_INSTALL_HINT });
      args.push('-lm', opts.lm_file, '-lw', String(opts.lm_weight));
    } else if (opts.mode === 'grammar') {
      if (opts.grammar_file === '') {
        throw new AppError('ASR_ENGINE', 'asr.pocketsphinx.mode is grammar but asr.pocketsphinx.grammar_file is empty', { hint: 'set it to a JSGF grammar file' });
      }
      if (!existsSync(opts.grammar_file)) throw new ModelMissingError(opts.grammar_file, { hint: 'asr.pocketsphinx.grammar_file must name a JSGF grammar' });
      args.push('-jsgf', opts.grammar_file);
    } else {
      if (opts.keyphrases.length === 0) {
        throw new AppError('ASR_ENGINE', 'asr.pocketsphinx.mode is keyphrase but asr.pocketsphinx.keyphrases is empty', { hint: 'list the phrases to spot' });
      }
      const kws = join(tempDir, 'keyphrases.kws');
      const thr = opts.keyphrase_threshold.toExponential();
      await writeFile(kws, opts.keyphrases.map((p) => `${p.toLowerCase().replace(/\s+/g, ' ').trim()} /${thr}/\n`).join(''));
      args.push('-kws', kws);
    }
    return new PocketsphinxRecognizer(opts, args, tempDir, featParams, modelFiles);
  }

  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    if (samples.length === 0) return null;
    const durationMs = (samples.length / SAMPLE_RATE_HZ) * 1000;
    if (!this.tempDir) throw new AppError('ASR_ENGINE', 'pocketsphinx recognizer is closed');
    const work = join(this.tempDir, `call-${this.seq++}`);
    let stdout: string;
    try {
      await mkdir(join(work, 'hmm'), { recursive: true });
      for (const f of this.modelFiles) await symlink(join(this.opts.model_dir, f), join(work, 'hmm', f));
      const raw = join(work, 'segment.raw');
      await writeFile(raw, floatToS16le(samples));
      const timeoutMs = this.opts.timeout_ms + 3 * durationMs;
      if (this.cmn === null) {
        await this.writeFeatParams(work, null);
        this.updateCmn((await this.run(raw, join(work, 'hmm'), timeoutMs, signal)).stderr);
      }
      await this.writeFeatParams(work, this.cmn);
      const out = await this.run(raw, join(work, 'hmm'), timeoutMs, signal);
      this.updateCmn(out.stderr);
      stdout = out.stdout;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const parsed = parseSphinxOutput(stdout);
    if (parsed.text.trim() === '') return null;
    return { text: parsed.text, confidence: parsed.confidence, words: parsed.words, engine: this.engine, model: this.model, language: 'en' };
  }

  async close(): Promise<void> {
    const dir = this.tempDir;
    this.tempDir = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private async writeFeatParams(work: string, cmn: string | null): Promise<void> {
    let text = this.featParams;
    if (cmn !== null) text = /^-cmninit .*$/m.test(text) ? text.replace(/^-cmninit .*$/m, `-cmninit ${cmn}`) : `${text.trimEnd()}\n-cmninit ${cmn}\n`;
    await writeFile(join(work, 'hmm', 'feat.params'), text);
  }

  /** Keep the decoder's last CMN estimate (13 finite numbers) for the next segment. */
  private updateCmn(stderr: string): void {
    const all = [...stderr.matchAll(CMN_UPDATE)];
    const last = all.at(-1)?.[1]?.trim().split(/\s+/).map(Number);
    if (last && last.length >= 2 && last.every(Number.isFinite)) this.cmn = last.map((v) => v.toFixed(2)).join(',');
  }

  private run(rawFile: string, hmmDir: string, timeoutMs: number, signal?: AbortSignal): Promise<{ stdout: string; stderr: string }> {
    if (signal?.aborted) return Promise.reject(new AppError('ABORTED', 'recognition aborted'));
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.binary, ['-infile', rawFile, '-hmm', hmmDir, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let errTail = '';
      let failure: AppError | undefined;
      const kill = (e: AppError): void => {
        failure ??= e;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill(new AppError('ASR_ENGINE', `pocketsphinx took longer than ${Math.round(timeoutMs)} ms; killed`, { retryable: true })), timeoutMs);
      const onAbort = (): void => kill(new AppError('ABORTED', 'recognition aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        errTail = (errTail + b.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        failure ??= e.code === 'ENOENT'
          ? new AppError('ASR_ENGINE', `pocketsphinx binary not found: ${this.opts.binary}`, { hint: POCKETSPHINX_INSTALL_HINT, cause: e })
          : new AppError('ASR_ENGINE', `could not run ${this.opts.binary}: ${e.message}`, { cause: e });
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        if (code !== 0) {
          const last = lastErrorLine(errTail);
          return reject(new AppError('ASR_ENGINE', `pocketsphinx exited with code ${code}${sig ? ` (signal ${sig})` : ''}: ${last}`, { retryable: true }));
        }
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: errTail });
      });
    });
  }
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => /^(ERROR|FATAL)/.test(l)).pop();
  return (err ?? lines.pop() ?? 'no output').slice(0, 300);
}

/** Fail early with the install command when the decoder binary is absent from PATH. */
async function checkBinary(binary: string): Promise<void> {
  const dirs = binary.includes('/') ? [''] : (process.env.PATH ?? '').split(':').filter(Boolean);
  const found = dirs.some((d) => existsSync(d === '' ? binary : join(d, binary)));
  if (!found) throw new AppError('ASR_ENGINE', `pocketsphinx binary not found: ${binary}`, { hint: POCKETSPHINX_INSTALL_HINT });
}
