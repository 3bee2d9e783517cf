import type { TSchema } from '@sinclair/typebox';

/** Closest known key at `parentPath` for a misspelled `key` ("did you mean"), or undefined. */
export function suggestKey(root: TSchema, parentPath: string[], key: string): string | undefined {
  let node: TSchema | undefined = root;
  for (const seg of parentPath) {
    node = (node?.properties as Record<string, TSchema> | undefined)?.[seg];
  }
  const known = Object.keys((node?.properties as Record<string, TSchema> | undefined) ?? {});
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return best !== undefined && bestDist <= limit ? best : undefined;
}

export function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
