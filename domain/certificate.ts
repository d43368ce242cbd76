// PS-6: the certificate of a certified user, generated as a real PDF on request (pdf-lib, standard
// fonts, no files): name, certification, date, certificate id.
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

/** The certification this engine tracks (one program). */
export const CERTIFICATION_PROGRAM = 'Certified Partner Advisor';

export interface CertificateFacts {
  name: string;
  program: string;
  certifiedAt: Date;
  certificateId: string;
  firmName: string;
}

export async function renderCertificatePdf(c: CertificateFacts): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Certificate ${c.certificateId}`);
  pdf.setSubject(`${c.program}: ${c.name}`);
  pdf.setAuthor('Partner Access Engine');
  pdf.setKeywords([c.certificateId, c.program]);
  pdf.setCreationDate(c.certifiedAt);
  const page = pdf.addPage([842, 595]); // A4 landscape, in points
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const centred = (text: string, y: number, size: number, font = regular) =>
    page.drawText(text, { x: (842 - font.widthOfTextAtSize(text, size)) / 2, y, size, font, color: rgb(0.1, 0.1, 0.2) });
  page.drawRectangle({ x: 24, y: 24, width: 794, height: 547, borderColor: rgb(0.2, 0.3, 0.6), borderWidth: 3 });
  centred('Certificate of Completion', 470, 34, bold);
  centred('This certifies that', 410, 16);
  centred(c.name, 360, 30, bold);
  centred(`of ${c.firmName}`, 325, 14);
  centred('has completed the certification', 280, 16);
  centred(c.program, 240, 22, bold);
  centred(`Certified on ${c.certifiedAt.toISOString().slice(0, 10)}`, 180, 14);
  centred(`Certificate id ${c.certificateId}`, 80, 10);
  return pdf.save();
}
