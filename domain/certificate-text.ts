// PS-6: how one line of a certificate is cut into runs that pdf-lib can draw. pdf-lib draws a string in
// one font, left to right, and knows nothing of writing direction, so a name is split into runs of one
// font and one direction, put in visual order by a reduced Unicode bidi algorithm (UAX #9: strong types,
// neutrals between strong runs, levels, rule L2). No embeddings, overrides or isolates: names have none.

/** Scripts written right to left. Their letters are strong right-to-left; digits of any script run left to right. */
const RTL_SCRIPTS = ['Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Nko', 'Samaritan', 'Mandaic', 'Adlam'];
const RTL_SCRIPT = new RegExp(`[${RTL_SCRIPTS.map((s) => `\\p{Script=${s}}`).join('')}]`, 'u');
const MIRRORED: Record<string, string> = Object.fromEntries(
  ['()', '[]', '{}', '<>', '«»'].flatMap(([open, close]) => [
    [open, close],
    [close, open],
  ]),
);

type Strong = 'L' | 'R';
type BidiType = Strong | 'N' | 'NSM';

function bidiType(char: string): BidiType {
  if (/\p{M}/u.test(char)) return 'NSM';
  if (RTL_SCRIPT.test(char) && /\p{L}/u.test(char)) return 'R';
  if (/[\p{L}\p{N}]/u.test(char)) return 'L';
  return 'N';
}

export const hasRightToLeft = (text: string): boolean => [...text].some((c) => bidiType(c) === 'R');

/** A run of characters in one font and one direction; `text` is in logical (reading) order. */
export interface TextRun<F> {
  text: string;
  font: F;
  rightToLeft: boolean;
}

/**
 * The runs of a line in visual order, left to right. Each character comes with the font chosen for it;
 * a right-to-left run keeps its characters in reading order (the shaper joins and reverses them), with
 * brackets mirrored.
 */
export function visualRuns<F>(chars: ReadonlyArray<{ char: string; font: F }>): Array<TextRun<F>> {
  const types = chars.map((c) => bidiType(c.char));
  const base: Strong = (types.find((t) => t === 'L' || t === 'R') as Strong | undefined) ?? 'L';
  // W1: a mark takes the type of what it marks.
  for (let i = 0; i < types.length; i++) if (types[i] === 'NSM') types[i] = i === 0 ? base : types[i - 1];
  // N1, N2: neutrals between two strongs of one direction take it; others take the base direction.
  const resolved: Strong[] = types.map((t, i) => {
    if (t === 'L' || t === 'R') return t;
    const before =
      types
        .slice(0, i)
        .reverse()
        .find((x) => x === 'L' || x === 'R') ?? base;
    const after = types.slice(i + 1).find((x) => x === 'L' || x === 'R') ?? base;
    return before === after ? (before as Strong) : base;
  });
  // I1, I2: on a left-to-right base R is level 1; on a right-to-left base R is 1 and L is 2.
  const levels = resolved.map((d) => (d === 'R' ? 1 : base === 'R' ? 2 : 0));
  const runs: Array<TextRun<F> & { level: number }> = [];
  chars.forEach(({ char, font }, i) => {
    const level = levels[i];
    const last = runs[runs.length - 1];
    const shown = level % 2 === 1 ? (MIRRORED[char] ?? char) : char;
    if (last && last.level === level && last.font === font) last.text += shown;
    else runs.push({ text: shown, font, rightToLeft: level % 2 === 1, level });
  });
  // L2: from the highest level down to 1, reverse every sequence of runs at that level or higher.
  const max = Math.max(0, ...levels);
  for (let level = max; level >= 1; level--) {
    for (let i = 0; i < runs.length;) {
      if (runs[i].level < level) {
        i++;
        continue;
      }
      let end = i;
      while (end < runs.length && runs[end].level >= level) end++;
      runs.splice(i, end - i, ...runs.slice(i, end).reverse());
      i = end;
    }
  }
  return runs.map(({ text, font, rightToLeft }) => ({ text, font, rightToLeft }));
}
