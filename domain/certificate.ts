// PS-6: the certificate of a certified user, generated as a real PDF on request (pdf-lib): name,
// certification, date, certificate id. Names come in any script, so the text is drawn in embedded Noto
// fonts (read by fontkit, embedded as subsets of the glyphs used), chosen per character from a chain.
// The fontkit is the fork pdfkit uses: @pdf-lib/fontkit 1.1.1 writes subsets that lose glyphs (it halves
// odd glyph offsets into a short loca table) and CJK subsets that viewers reject (CID-keyed CFF).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fontkit from '@foliojs-fork/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { hasRightToLeft, visualRuns } from './certificate-text';

/** The certification this engine tracks (one program). */
export const CERTIFICATION_PROGRAM = 'Certified Partner Advisor';

export interface CertificateFacts {
  name: string;
  program: string;
  certifiedAt: Date;
  certificateId: string;
  firmName: string;
}

type Weight = 'regular' | 'bold';

/**
 * The fallback chain, first match wins: Noto Sans (Latin, Greek, Cyrillic), then Hebrew, Arabic, and
 * Noto Sans Hans (30,888 glyphs: simplified and most traditional Chinese, kana; no Hangul syllables),
 * then Noto Sans KR for Hangul. The CJK fonts are 5 to 8 MB each, so each is read only when a character
 * needs it.
 */
const CHAIN: ReadonlyArray<{ pkg: string; files: Record<Weight, string> }> = [
  { pkg: '@embedpdf/fonts-latin', files: { regular: 'NotoSans-Regular.ttf', bold: 'NotoSans-Bold.ttf' } },
  {
    pkg: '@embedpdf/fonts-hebrew',
    files: { regular: 'NotoSansHebrew-Regular.ttf', bold: 'NotoSansHebrew-Bold.ttf' },
  },
  {
    pkg: '@embedpdf/fonts-arabic',
    files: { regular: 'NotoNaskhArabic-Regular.ttf', bold: 'NotoNaskhArabic-Bold.ttf' },
  },
  { pkg: '@embedpdf/fonts-sc', files: { regular: 'NotoSansHans-Regular.otf', bold: 'NotoSansHans-Bold.otf' } },
  { pkg: '@embedpdf/fonts-kr', files: { regular: 'NotoSansKR-Regular.otf', bold: 'NotoSansKR-Bold.otf' } },
];

interface FontFile {
  path: string;
  bytes: Uint8Array;
  covers: (codePoint: number) => boolean;
}

// Read and parsed once per process: every certificate needs the same few files.
const files = new Map<string, Promise<FontFile>>();
const parsed = new WeakMap<Uint8Array, ReturnType<typeof fontkit.create>>();

/** fontkit's parse of a file, kept: parsing and reading the layout tables again cost ~0.3 s a certificate. */
function parsedFont(bytes: Uint8Array) {
  let font = parsed.get(bytes);
  if (!font) {
    font = fontkit.create(bytes);
    // fontkit caches a glyph with the characters of its first request, and shaping asks for some with
    // none (after "Łukasz Żółć", a "Z" came back without its "Z"). pdf-lib's ToUnicode map, what a reader
    // copies or searches, is read from them, so a later request that names the characters fills them in.
    const getGlyph = font.getGlyph.bind(font);
    font.getGlyph = (id, codePoints = []) => {
      const glyph = getGlyph(id, codePoints);
      if (glyph.codePoints.length === 0 && codePoints.length > 0) glyph.codePoints = codePoints;
      return glyph;
    };
    parsed.set(bytes, font);
  }
  return font;
}
// pdf-lib asks fontkit to parse every font it embeds; this hands it the parse kept for that file.
const cachingFontkit: typeof fontkit = { create: (bytes) => parsedFont(bytes) };

function fontFile(link: number, weight: Weight): Promise<FontFile> {
  const { pkg, files: names } = CHAIN[link];
  // The packages export only their file list, so the fonts are found beside their entry point.
  const path = join(dirname(require.resolve(pkg)), '..', 'fonts', names[weight]);
  let file = files.get(path);
  if (!file) {
    file = readFile(path).then((bytes) => {
      const font = parsedFont(bytes);
      return { path, bytes, covers: (cp: number) => font.hasGlyphForCodePoint(cp) };
    });
    file.catch(() => files.delete(path));
    files.set(path, file);
  }
  return file;
}

/** The font of each character: the first in the chain with its glyph, the previous one for marks and spaces. */
async function fontsFor(text: string, weight: Weight): Promise<Array<{ char: string; font: FontFile }>> {
  const out: Array<{ char: string; font: FontFile }> = [];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    const previous = out[out.length - 1]?.font;
    // Marks, spaces and punctuation stay in the font around them, so a name stays one run where it can.
    if (previous && /[\p{M}\p{Z}\p{P}]/u.test(char) && previous.covers(cp)) {
      out.push({ char, font: previous });
      continue;
    }
    let chosen: FontFile | undefined;
    for (let link = 0; link < CHAIN.length && !chosen; link++) {
      const file = await fontFile(link, weight);
      if (file.covers(cp)) chosen = file;
    }
    // No font has it: the first font's missing-glyph box, rather than no certificate at all.
    out.push({ char, font: chosen ?? (await fontFile(0, weight)) });
  }
  return out;
}

export async function renderCertificatePdf(c: CertificateFacts): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cachingFontkit);
  pdf.setTitle(`Certificate ${c.certificateId}`);
  pdf.setSubject(`${c.program}: ${c.name}`);
  pdf.setAuthor('Partner Access Engine');
  pdf.setKeywords([c.certificateId, c.program]);
  pdf.setCreationDate(c.certifiedAt);
  const page = pdf.addPage([842, 595]); // A4 landscape, in points
  const embedded = new Map<string, Promise<PDFFont>>();
  const embed = (file: FontFile) => {
    let font = embedded.get(file.path);
    if (!font) embedded.set(file.path, (font = pdf.embedFont(file.bytes, { subset: true })));
    return font;
  };
  const centred = async (text: string, y: number, size: number, weight: Weight = 'regular') =>
    drawCentred(page, await fontsFor(text, weight), embed, y, size);
  page.drawRectangle({ x: 24, y: 24, width: 794, height: 547, borderColor: rgb(0.2, 0.3, 0.6), borderWidth: 3 });
  await centred('Certificate of Completion', 470, 34, 'bold');
  await centred('This certifies that', 410, 16);
  await centred(c.name, 360, 30, 'bold');
  await centred(`of ${c.firmName}`, 325, 14);
  await centred('has completed the certification', 280, 16);
  await centred(c.program, 240, 22, 'bold');
  await centred(`Certified on ${c.certifiedAt.toISOString().slice(0, 10)}`, 180, 14);
  await centred(`Certificate id ${c.certificateId}`, 80, 10);
  return pdf.save();
}

/** Draws a line's runs side by side in visual order, the whole line centred on the page. */
async function drawCentred(
  page: PDFPage,
  chars: Array<{ char: string; font: FontFile }>,
  embed: (file: FontFile) => Promise<PDFFont>,
  y: number,
  size: number,
) {
  const runs = await Promise.all(
    visualRuns(chars).map(async (run) => {
      const font = await embed(run.font);
      // fontkit shapes a run of a right-to-left script (Arabic letters join) and returns its glyphs
      // right to left; a right-to-left run of only neutrals it would not turn, so it is turned here.
      const text = run.rightToLeft && !hasRightToLeft(run.text) ? [...run.text].reverse().join('') : run.text;
      return { text, font, width: font.widthOfTextAtSize(text, size) };
    }),
  );
  let x = (page.getWidth() - runs.reduce((sum, r) => sum + r.width, 0)) / 2;
  for (const run of runs) {
    page.drawText(run.text, { x, y, size, font: run.font, color: rgb(0.1, 0.1, 0.2) });
    x += run.width;
  }
}
