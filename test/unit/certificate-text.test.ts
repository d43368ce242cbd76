// PS-6: a certificate line cut into runs of one font and one direction, in visual order (pure logic).
import { visualRuns } from '../../domain/certificate-text';

/** Each character in font 'he' if it is Hebrew, else 'la': the fonts a chain would pick. */
const picked = (text: string) =>
  [...text].map((char) => ({ char, font: /\p{Script=Hebrew}/u.test(char) ? 'he' : 'la' }));
/** What a reader sees left to right: right-to-left runs come out of the shaper reversed. */
const seen = (runs: ReturnType<typeof visualRuns<string>>) =>
  runs.map((r) => (r.rightToLeft ? [...r.text].reverse().join('') : r.text)).join('');

it('PS-6 certificate text: a left-to-right name is one run in its font', () => {
  expect(visualRuns(picked('Zoë Ångström'))).toEqual([{ text: 'Zoë Ångström', font: 'la', rightToLeft: false }]);
});

it('PS-6 certificate text: a right-to-left name stays one run in reading order for the shaper to turn', () => {
  const hebrew = [...'דוד לוי'].map((char) => ({ char, font: 'he' }));
  expect(visualRuns(hebrew)).toEqual([{ text: 'דוד לוי', font: 'he', rightToLeft: true }]);
});

it('PS-6 certificate text: Latin then Hebrew on a left-to-right line keeps the reading order of the runs', () => {
  const runs = visualRuns(picked('Anna לוי'));
  expect(runs).toEqual([
    { text: 'Anna ', font: 'la', rightToLeft: false },
    { text: 'לוי', font: 'he', rightToLeft: true },
  ]);
  expect(seen(runs)).toBe('Anna יול');
});

it('PS-6 certificate text: Latin inside a right-to-left name sits in its place, brackets mirrored', () => {
  const line = [...'דוד (David) לוי'].map((char) => ({ char, font: 'x' }));
  const runs = visualRuns(line);
  expect(runs).toEqual([
    { text: '( לוי', font: 'x', rightToLeft: true },
    { text: 'David', font: 'x', rightToLeft: false },
    { text: 'דוד )', font: 'x', rightToLeft: true },
  ]);
  // Read left to right: the last word first, then "(David)" as written, then the first word.
  expect(seen(runs)).toBe('יול (David) דוד');
});
