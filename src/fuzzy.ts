/**
 * Characters Tesseract's Chinese models take for one another in printed Song/serif type (seen misread in
 * scans): swapping one for its look-alike costs half an edit.
 */
const LOOK_ALIKE = new Set(['台合', '苑苍', '仓苍', '文支', '秋款', '拔拨', '入人', '己已', '未末', '土士', '日曰', '肖消', '计汁', '项顶', '目日', '谷合'].flatMap((pair) => [pair, [...pair].reverse().join('')]));

function substitutionCost(a: string, b: string): number {
  if (a === b) return 0;
  return LOOK_ALIKE.has(a + b) ? 0.5 : 1;
}

/** Edit distance (insertions, deletions, substitutions; a look-alike swap costs half) between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + substitutionCost(x[i - 1]!, y[j - 1]!));
    previous = current;
  }
  return previous[y.length]!;
}

/** 1 for equal strings, 0 for nothing in common: one minus the edit distance over the longer length. */
export function similarity(a: string, b: string): number {
  const longest = Math.max([...a].length, [...b].length);
  return longest === 0 ? 1 : 1 - editDistance(a, b) / longest;
}

/**
 * The known word an OCR reading most likely stands for: the candidate most similar to it, when at least
 * `threshold` similar and clearly ahead (by `margin`) of any other candidate; else null.
 */
export function closestWord(reading: string, candidates: readonly string[], threshold = 0.7, margin = 0.1): string | null {
  let best: { word: string; score: number } | null = null;
  let second = 0;
  for (const word of candidates) {
    const score = similarity(reading, word);
    if (!best || score > best.score) {
      if (best && best.word !== word) second = Math.max(second, best.score);
      best = { word, score };
    } else if (word !== best.word) second = Math.max(second, score);
  }
  return best && best.score >= threshold && best.score - second >= margin ? best.word : null;
}
