// Reads a PDF back the way a viewer would: pdf-lib parses the file, then the text drawn on each page
// is decoded from its (deflated) content streams.
import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream, type PDFStream } from 'pdf-lib';

export async function readPdf(bytes: Uint8Array): Promise<{ title: string | undefined; pages: number; text: string[] }> {
  const doc = await PDFDocument.load(bytes);
  const text: string[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r) as PDFStream) : contents ? [contents] : [];
    for (const s of streams) {
      const raw = s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : s.getContents();
      const ops = Buffer.from(raw).toString('latin1');
      for (const m of ops.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)) text.push(Buffer.from(m[1], 'hex').toString('latin1'));
    }
  }
  return { title: doc.getTitle(), pages: doc.getPageCount(), text };
}
