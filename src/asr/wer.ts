/**
 * Word error rate: Levenshtein distance over normalized words (lower-case, punctuation
 * stripped, apostrophes kept inside words), the same scoring as sclite without a GLM.
 */

export interface WerResult {
  /** substitutions + deletions + insertions */
  errors: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Number of reference words (the denominator). */
  referenceWords: number;
  /** errors / referenceWords (0 when both are empty; Infinity never: empty ref gives errors as count). */
  wer: number;
}

/** Lower-case, drop punctuation (keeping in-word apostrophes), split on whitespace. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** Edit-distance alignment counts between two word lists. */
export function alignWords(ref: readonly string[], hyp: readonly string[]): Omit<WerResult, 'wer' | 'referenceWords'> {
  const n = hyp.length;
  // Each cell keeps [cost, sub, del, ins]; one row at a time.
  let prev: number[][] = Array.from({ length: n + 1 }, (_, j) => [j, 0, 0, j]);
  for (let i = 1; i <= ref.length; i++) {
    const cur: number[][] = [[i, 0, i, 0]];
    for (let j = 1; j <= n; j++) {
      const same = ref[i - 1] === hyp[j - 1];
      const diag = prev[j - 1]!;
      const up = prev[j]!;
      const left = cur[j - 1]!;
      const cDiag = diag[0]! + (same ? 0 : 1);
      const cUp = up[0]! + 1;
      const cLeft = left[0]! + 1;
      if (cDiag <= cUp && cDiag <= cLeft) cur.push([cDiag, diag[1]! + (same ? 0 : 1), diag[2]!, diag[3]!]);
      else if (cUp <= cLeft) cur.push([cUp, up[1]!, up[2]! + 1, up[3]!]);
      else cur.push([cLeft, left[1]!, left[2]!, left[3]! + 1]);
    }
    prev = cur;
  }
  const last = prev[n]!;
  return { errors: last[0]!, substitutions: last[1]!, deletions: last[2]!, insertions: last[3]! };
}

/** WER of one hypothesis against one reference (both raw text; normalized here). */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  return werOfWords(normalizeWords(reference), normalizeWords(hypothesis));
}

function werOfWords(ref: string[], hyp: string[]): WerResult {
  const a = alignWords(ref, hyp);
  const wer = ref.length === 0 ? (hyp.length === 0 ? 0 : a.errors) : a.errors / ref.length;
  return { ...a, referenceWords: ref.length, wer };
}

/** Corpus WER: total errors over total reference words of many (reference, hypothesis) pairs. */
export function corpusWordErrorRate(pairs: ReadonlyArray<{ reference: string; hypothesis: string }>): WerResult {
  const total: WerResult = { errors: 0, substitutions: 0, deletions: 0, insertions: 0, referenceWords: 0, wer: 0 };
  for (const p of pairs) {
    const r = wordErrorRate(p.reference, p.hypothesis);
    total.errors += r.errors;
    total.substitutions += r.substitutions;
    total.deletions += r.deletions;
    total.insertions += r.insertions;
    total.referenceWords += r.referenceWords;
  }
  total.wer = total.referenceWords === 0 ? (total.errors === 0 ? 0 : total.errors) : total.errors / total.referenceWords;
  return total;
}
