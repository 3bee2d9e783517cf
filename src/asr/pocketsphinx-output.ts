/**
 * Parser for the stdout of Debian's `pocketsphinx_continuous -time yes` (PocketSphinx
 * 5prealpha). For each utterance its own VAD finds, the decoder prints the hypothesis on
 * one line, then one line per segment: `WORD START_S END_S POSTERIOR`, where WORD may be
 * a filler (`<s>`, `</s>`, `<sil>`, `[NOISE]`, `++...++`), an alternate pronunciation
 * (`can(2)`), `(NULL)` (grammar mode) or a multi-word keyphrase (keyphrase mode).
 */
import type { Word } from '../pipeline/types.js';
import { AppError } from '../util/errors.js';

export interface SphinxUtterance {
  text: string;
  words: Word[];
}

export interface SphinxParse {
  utterances: SphinxUtterance[];
  /** Joined text of all utterances, single-spaced. */
  text: string;
  words: Word[];
  /** Mean word posterior (0..1) over non-filler words, null when there are none. */
  confidence: number | null;
}

const SEGMENT = /^(\S.*?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;
const FILLER = /^(<s>|<\/s>|<sil>|\(NULL\)|\[[A-Z_]+\]|\+\+.*\+\+|\+.*\+)$/;
const ALT_PRON = /\(\d+\)$/;

/** Parse the decoder's stdout. Throws ASR_ENGINE on output that fits neither line kind. */
export function parseSphinxOutput(stdout: string): SphinxParse {
  const utterances: SphinxUtterance[] = [];
  let cur: SphinxUtterance | null = null;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = SEGMENT.exec(line);
    if (m) {
      if (!cur) throw new AppError('ASR_ENGINE', `pocketsphinx output: word timing before any hypothesis: ${JSON.stringify(line.slice(0, 80))}`);
      const word = m[1]!.trim().replace(ALT_PRON, '');
      if (word.split(/\s+/).some((t) => /^-?\d+\.\d+$/.test(t))) {
        throw new AppError('ASR_ENGINE', `pocketsphinx output: malformed word timing line ${JSON.stringify(line.slice(0, 80))}`);
      }
      if (FILLER.test(word)) continue;
      const startMs = Math.round(Number(m[2]) * 1000);
      const endMs = Math.round(Number(m[3]) * 1000);
      const posterior = Number(m[4]);
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs || !Number.isFinite(posterior) || posterior < 0) {
        throw new AppError('ASR_ENGINE', `pocketsphinx output: bad word timing line ${JSON.stringify(line.slice(0, 80))}`);
      }
      cur.words.push({ word, startMs, endMs, confidence: Math.min(1, posterior) });
      continue;
    }
    if (line.split(/\s+/).some((t) => /^-?\d+\.\d+$/.test(t))) {
      throw new AppError('ASR_ENGINE', `pocketsphinx output: malformed word timing line ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (/[\p{Cc}\uFFFD]/u.test(line)) {
      throw new AppError('ASR_ENGINE', `pocketsphinx output: unexpected bytes in line ${JSON.stringify(line.slice(0, 80))}`);
    }
    cur = { text: line.replace(/\s+/g, ' ').trim(), words: [] };
    utterances.push(cur);
  }
  const text = utterances.map((u) => u.text).filter(Boolean).join(' ');
  const words = utterances.flatMap((u) => u.words);
  const conf = words.filter((w) => w.confidence !== undefined);
  const confidence = conf.length === 0 ? null : conf.reduce((s, w) => s + (w.confidence ?? 0), 0) / conf.length;
  return { utterances, text, words, confidence };
}
