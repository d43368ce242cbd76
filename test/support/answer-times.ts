// Answers that must not tell a known email from an unknown one by their time (registration, sign-in,
// password resets): both kinds asked in turns, and their medians compared against one bound.

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

/**
 * How far apart the two medians may be: 25 ms, or a quarter of the slower median when the suite's other
 * files load the machine so much that it is larger. A password hashed on one side only (0.1 s of a core,
 * measured 267 ms apart) is most of the slower median, so it still fails; no absolute time is asserted.
 */
export const answerTimeBound = (medians: { known: number; unknown: number }) =>
  Math.max(25, Math.max(medians.known, medians.unknown) / 4);

/**
 * `tries` of each kind, one after the other, taking turns at going first: what a request leaves running
 * after its answer (a lookup, an email) slows the next one, so always asking one kind first made the
 * other's median measurably slower.
 */
export async function interleaved<T>(
  tries: number,
  ask: (kind: 'known' | 'unknown', i: number) => Promise<T>,
): Promise<{ known: T[]; unknown: T[] }> {
  const answers = { known: [] as T[], unknown: [] as T[] };
  for (let i = 0; i < tries; i++) {
    for (const kind of i % 2 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
      answers[kind].push(await ask(kind, i));
    }
  }
  return answers;
}
