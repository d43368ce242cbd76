// One layout for every email the engine sends: an HTML part and the plain-text alternative, built from
// the same words. Pure (no I/O), so each sender keeps its own words, subject and Message-ID and only
// hands them here.
//
// Mail clients strip <style> and <head>, and many ignore CSS they do not know, so the HTML uses
// inline styles on role="presentation" tables only. Colours meet WCAG AA contrast on white: body
// text #1f2933 (14:1), secondary text #3e4c59 (9:1), white on the button's #1d4ed8 (6.7:1).

export interface EmailAction {
  /** The button's words, e.g. "Accept the invitation". */
  label: string;
  /** An absolute http(s) URL. */
  url: string;
  /** The plain text's line above the URL (default: the label and a colon). */
  lead?: string;
}

export interface EmailContent {
  /** E.g. "Hello Ann,". */
  greeting?: string;
  /** Before the action; a single newline inside one is a line break. */
  paragraphs: string[];
  action?: EmailAction;
  /** After the action: what the link does, until when it works. */
  after?: string[];
  closing?: string;
  /** The HTML document's title, for clients that show it (usually the subject). */
  title?: string;
}

export interface ComposedEmail {
  text: string;
  html: string;
}

const FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const TEXT = '#1f2933';
const MUTED = '#3e4c59';
const ACCENT = '#1d4ed8';
const BORDER = '#d9dce1';
const PAGE = '#f4f5f7';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and for double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Refuses anything but an absolute http(s) URL, so a link can never be javascript: or a relative path. */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`email action URL is not an absolute URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`email action URL must be http or https: ${url}`);
  }
  return url;
}

const nonEmpty = (parts: Array<string | undefined>) => parts.filter((p): p is string => !!p && p.trim() !== '');

function paragraphHtml(text: string, color = TEXT, size = 16): string {
  const body = escapeHtml(text).replace(/\r?\n/g, '<br>');
  const style = `margin:0 0 16px 0;font-family:${FONT};font-size:${size}px;line-height:1.5;color:${color};`;
  return `<p style="${style}">${body}</p>`;
}

function actionHtml(action: EmailAction): string {
  const href = escapeHtml(action.url);
  const label = escapeHtml(action.label);
  const button =
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px 0;">' +
    `<tr><td style="border-radius:6px;background-color:${ACCENT};">` +
    `<a href="${href}" style="display:inline-block;padding:12px 24px;font-family:${FONT};font-size:16px;` +
    `font-weight:bold;line-height:1.25;color:#ffffff;text-decoration:none;border-radius:6px;">${label}</a>` +
    '</td></tr></table>';
  // The URL as visible text too: some clients block buttons, and a reader may want to paste it.
  const copy =
    `<p style="margin:0 0 16px 0;font-family:${FONT};font-size:14px;line-height:1.5;color:${MUTED};">` +
    `Or copy this link: <a href="${href}" style="color:${ACCENT};text-decoration:underline;word-break:break-all;">` +
    `${href}</a></p>`;
  return button + copy;
}

/** The email's plain text and HTML, from the same words; the text keeps the words exactly as given. */
export function composeEmail(content: EmailContent): ComposedEmail {
  const action = content.action && { ...content.action, url: checkedUrl(content.action.url) };
  const after = content.after ?? [];

  const text = nonEmpty([
    content.greeting,
    ...content.paragraphs,
    action && `${action.lead ?? `${action.label}:`}\n${action.url}`,
    ...after,
    content.closing,
  ]).join('\n\n');

  const body = [
    ...nonEmpty([content.greeting, ...content.paragraphs]).map((p) => paragraphHtml(p)),
    action ? actionHtml(action) : '',
    ...nonEmpty([...after, content.closing]).map((p) => paragraphHtml(p)),
  ].join('');

  const title = content.title ? `<title>${escapeHtml(content.title)}</title>` : '';
  const label = content.title ? ` aria-label="${escapeHtml(content.title)}"` : '';
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta name="color-scheme" content="light">${title}</head>` +
    `<body style="margin:0;padding:0;background-color:${PAGE};">` +
    // Webmail shows the email inside its own page, where <html lang> and <title> are gone: the
    // wrapper names the language and the email for screen readers there.
    `<div role="article" aria-roledescription="email" lang="en"${label}>` +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ' +
    `style="background-color:${PAGE};">` +
    '<tr><td align="center" style="padding:24px 12px;">' +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ' +
    `style="max-width:600px;background-color:#ffffff;border:1px solid ${BORDER};border-radius:8px;">` +
    `<tr><td style="padding:16px 32px;border-bottom:1px solid ${BORDER};font-family:${FONT};font-size:14px;` +
    `font-weight:bold;color:${TEXT};">Partner Access</td></tr>` +
    `<tr><td style="padding:24px 32px 8px 32px;">${body}</td></tr>` +
    '</table></td></tr></table></div></body></html>';

  return { text, html };
}

/**
 * An email written as plain text (paragraphs parted by a blank line) in the same layout; the text
 * stays as it is. For emails whose words are built elsewhere, e.g. inside a workflow.
 */
export function composeFromText(text: string, title?: string): ComposedEmail {
  const paragraphs = text.split(/\r?\n\s*\r?\n/);
  return { text, html: composeEmail({ paragraphs, title }).html };
}
