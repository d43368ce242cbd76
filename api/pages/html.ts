// HTML for the hosted pages and the console, built with one tagged template that escapes every
// interpolated value unless it is already HTML. No string concatenation of markup anywhere else, so a
// name like `<script>` in the database is shown as text, never run.

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${name}</p>\``: values are escaped; Html values and arrays of them are inserted as they are. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup that is known to be safe (a constant, or built by `html`). */
export const trusted = (markup: string) => new Html(markup);

/** A date as people read it, in UTC (the engine's times are UTC everywhere). */
export function when(date: string | Date | null | undefined): string {
  if (!date) return '—';
  const d = typeof date === 'string' ? new Date(date) : date;
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** An enum value (`PENDING_APPROVAL`) in words (`Pending approval`). */
export function words(value: string | null | undefined): string {
  if (!value) return '—';
  const lower = value.replace(/[_-]+/g, ' ').toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
