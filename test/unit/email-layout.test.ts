// The one email layout: the plain text keeps the sender's words, the HTML says the same with the link
// as a button and as text, and nothing a sender interpolates can turn into markup.
import { composeEmail, composeFromText, escapeHtml } from '../../platform/email-layout';
import { linkIn } from '../support/links';

const id = '3f0c2a56-7d1e-4b8a-9c33-0e5f6a7b8c9d';
const token = 'A'.repeat(40) + '_-9';
const inviteUrl = `http://127.0.0.1:3000/invite/${id}?token=${token}`;

const invitation = () =>
  composeEmail({
    title: 'Join the Practice Staff of Ledgerwise',
    greeting: 'Hello Ann,',
    paragraphs: [],
    action: { label: 'Join the Practice Staff', lead: 'Open this link to join the Practice Staff:', url: inviteUrl },
    after: ['The link works once and until Fri, 27 Nov 2026 10:00:00 GMT.'],
  });

describe('the email layout', () => {
  it('BP-4 keeps the plain text word for word, the link on its own line after its lead', () => {
    expect(invitation().text).toBe(
      'Hello Ann,\n\nOpen this link to join the Practice Staff:\n' +
        `${inviteUrl}\n\nThe link works once and until Fri, 27 Nov 2026 10:00:00 GMT.`,
    );
  });

  it('BP-4 puts the link in the HTML as a button with its label and as visible text to copy', () => {
    const { html } = invitation();
    const href = escapeHtml(inviteUrl);
    const anchor = /<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g;
    const anchors = [...html.matchAll(anchor)].map(([, h, label]) => ({ href: h, label }));
    expect(anchors).toEqual([
      { href, label: 'Join the Practice Staff' },
      { href, label: href },
    ]);
    expect(html).toContain(`Or copy this link: <a href="${href}"`);
    expect(html.indexOf('Join the Practice Staff</a>')).toBeLessThan(html.indexOf('Or copy this link'));
    expect(html).not.toContain('/index.html');
  });

  it('BP-4 PP-3 both parts carry the URL, and the tests read the API path from either link shape', () => {
    const { text, html } = invitation();
    expect(text).toContain(inviteUrl);
    expect(html).toContain(escapeHtml(inviteUrl));
    expect(linkIn(text)).toEqual({ kind: 'invitation', id, token, path: `/invitations/${id}/link?token=${token}` });
    const reset = `Choose a new password:\nhttp://127.0.0.1:3000/reset-password/${id}?token=${token}`;
    expect(linkIn(reset)).toEqual({
      kind: 'password-reset',
      id,
      token,
      path: `/password-resets/${id}?token=${token}`,
    });
    // Emails sent before the hosted pages linked to the API itself.
    const apiInvitation = `/invitations/${id}/link?token=${token}`;
    const apiReset = `/password-resets/${id}?token=${token}`;
    expect(linkIn(`http://h${apiInvitation}`).path).toBe(apiInvitation);
    expect(linkIn(`http://h${apiReset}`).path).toBe(apiReset);
  });

  it('BP-4 escapes every interpolated value in the HTML and leaves the text as written', () => {
    const evil = {
      title: 'Join <b>Evil</b> & Co',
      greeting: 'Hello <script>alert(1)</script>,',
      paragraphs: [`O'Brien & "Partners" <img src=x onerror=alert(1)>`],
      action: { label: 'Accept <i>now</i>', url: 'https://example.test/invite/x?token=a&b="c"<d>' },
      closing: '</td></tr></table>',
    };
    const { text, html } = composeEmail(evil);
    expect(text).toContain('Hello <script>alert(1)</script>,');
    expect(text).toContain('https://example.test/invite/x?token=a&b="c"<d>');
    expect(html).not.toMatch(/<script|<img|<b>|<i>|onerror=alert\(1\)>/);
    expect(html).toContain('<title>Join &lt;b&gt;Evil&lt;/b&gt; &amp; Co</title>');
    expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(html).toContain('O&#39;Brien &amp; &quot;Partners&quot; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="https://example.test/invite/x?token=a&amp;b=&quot;c&quot;&lt;d&gt;"');
    expect(html).toContain('Accept &lt;i&gt;now&lt;/i&gt;</a>');
    expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;');
    // The layout's own tables are all there is: as many opened as closed.
    expect(html.match(/<table/g)!.length).toBe(html.match(/<\/table>/g)!.length);
  });

  it('BP-4 refuses a link that is not an absolute http(s) URL', () => {
    const withUrl = (url: string) => () => composeEmail({ paragraphs: [], action: { label: 'Go', url } });
    expect(withUrl('javascript:alert(1)')).toThrow(/http or https/);
    expect(withUrl('/invite/x')).toThrow(/absolute/);
    expect(withUrl('https://example.test/ok')).not.toThrow();
  });

  it('BP-4 PP-3 is one accessible layout: language, presentation tables, inline styles only', () => {
    const { html } = invitation();
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(html).not.toMatch(/<style|<link /);
    for (const table of html.match(/<table[^>]*>/g)!) expect(table).toContain('role="presentation"');
    expect(html).toContain('color:#ffffff');
  });

  it('TPU-3 lays out an email written as plain text: the text untouched, paragraphs and line breaks kept', () => {
    const text = 'Ann of Ledgerwise is listed.\nTheir access is off.\n\nAn org admin can turn it on <now>.';
    const email = composeFromText(text, 'Ann was added');
    expect(email.text).toBe(text);
    expect(email.html).toContain('>Ann of Ledgerwise is listed.<br>Their access is off.</p>');
    expect(email.html).toContain('>An org admin can turn it on &lt;now&gt;.</p>');
    expect(email.html).toContain('<title>Ann was added</title>');
    expect(email.html).not.toContain('Or copy this link');
  });
});
