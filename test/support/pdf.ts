// Reads a PDF back the way a viewer would: pdf-lib parses the file, then the text drawn on each page
// is decoded from its (deflated) content streams. A string shown in an embedded (Type0) font is read
// through that font's ToUnicode map, as a viewer copies it; one in a standard font is Latin-1.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream, decodePDFRawStream } from 'pdf-lib';

/** One string drawn on a page, with the font it was drawn in (its BaseFont, subset prefix removed). */
export interface PdfRun {
  font: string;
  text: string;
}

function streamText(s: PDFStream): string {
  const raw = s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : s.getContents();
  return Buffer.from(raw).toString('latin1');
}

/** A ToUnicode CMap as a map from code (hex) to text: its bfchar and bfrange entries. */
function toUnicodeMap(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      map.set(m[1].toUpperCase(), utf16(m[2]));
    }
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const [from, to, first] = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
      for (let c = from; c <= to; c++) {
        map.set(c.toString(16).toUpperCase().padStart(m[1].length, '0'), String.fromCodePoint(first + c - from));
      }
    }
  }
  return map;
}

export async function readPdf(
  bytes: Uint8Array,
): Promise<{ title: string | undefined; pages: number; text: string[]; runs: PdfRun[] }> {
  const doc = await PDFDocument.load(bytes);
  const runs: PdfRun[] = [];
  for (const page of doc.getPages()) {
    const fonts = new Map<string, { font: string; unicode?: Map<string, string>; width: number }>();
    const fontDict = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fontDict?.entries() ?? []) {
      const font = doc.context.lookup(ref, PDFDict);
      const base = font.lookupMaybe(PDFName.of('BaseFont'), PDFName)?.decodeText() ?? '';
      const toUnicode = font.lookup(PDFName.of('ToUnicode'));
      const unicode = toUnicode instanceof PDFStream ? toUnicodeMap(streamText(toUnicode)) : undefined;
      // Type0 fonts are drawn with two-byte glyph codes (Identity-H), simple fonts with one byte.
      const type0 = font.lookupMaybe(PDFName.of('Subtype'), PDFName) === PDFName.of('Type0');
      fonts.set(name.decodeText(), { font: base.replace(/^[A-Z]{6}\+/, ''), unicode, width: type0 ? 4 : 2 });
    }
    const contents = page.node.Contents();
    const streams =
      contents instanceof PDFArray
        ? contents.asArray().map((r) => doc.context.lookup(r) as PDFStream)
        : contents
          ? [contents]
          : [];
    let current: { font: string; unicode?: Map<string, string>; width: number } = { font: '', width: 2 };
    for (const s of streams) {
      for (const m of streamText(s).matchAll(/\/([^\s/]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj/g)) {
        if (m[1] !== undefined) {
          current = fonts.get(m[1]) ?? { font: m[1], width: 2 };
          continue;
        }
        const hex = m[2].toUpperCase();
        const { unicode, width } = current;
        const text = unicode
          ? (hex.match(new RegExp(`.{${width}}`, 'g')) ?? []).map((code) => unicode.get(code) ?? '\uFFFD').join('')
          : Buffer.from(hex, 'hex').toString('latin1');
        runs.push({ font: current.font, text });
      }
    }
  }
  return { title: doc.getTitle(), pages: doc.getPageCount(), text: runs.map((r) => r.text), runs };
}
