// One layout for every page: a skip link, the site header with the signed-in user's places, the flash
// message of the last form, and the page's main content. Forms are plain HTML posts (they work without
// JavaScript) and each carries the CSRF token.
import type { Flash } from './http';
import { CSRF_FIELD } from './http';
import { html, type Html } from './html';

export interface NavLink {
  href: string;
  label: string;
}

export interface PageShell {
  title: string;
  /** The signed-in user's name, and their places in the console (none on the hosted pages). */
  user?: { displayName: string; switchedInto?: string | null };
  nav?: NavLink[];
  flash?: Flash | null;
  csrf: string;
  /** The path of this page, to mark its nav link as current. */
  current?: string;
  body: Html;
}

export function layout(shell: PageShell): Html {
  const nav = shell.nav ?? [];
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${shell.title} · Partner Access</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site">
          <a class="brand" href="${shell.user ? '/console' : '/sign-in'}">Partner Access</a>
          ${
            shell.user
              ? html`<div class="who">
                  <span>${shell.user.displayName}</span>
                  ${
                    shell.user.switchedInto
                      ? html`<span class="badge">Switched into ${shell.user.switchedInto}</span>`
                      : ''
                  }
                  ${form('/sign-out', shell.csrf, html`<button type="submit" class="link">Sign out</button>`)}
                </div>`
              : ''
          }
        </header>
        ${
          nav.length
            ? html`<nav aria-label="Places">
                <ul>
                  ${nav.map(
                    (link) =>
                      html`<li>
                        <a href="${link.href}" ${link.href === shell.current ? html` aria-current="page"` : ''}
                          >${link.label}</a
                        >
                      </li>`,
                  )}
                </ul>
              </nav>`
            : ''
        }
        <main id="main" tabindex="-1">
          <h1>${shell.title}</h1>
          ${
            shell.flash
              ? html`<p class="flash ${shell.flash.kind}" role="${shell.flash.kind === 'error' ? 'alert' : 'status'}">
                  ${shell.flash.text}
                </p>`
              : ''
          }
          ${shell.body}
        </main>
      </body>
    </html>`;
}

/** A form that posts to `action` with the CSRF token; `fields` is its content (inputs and a button). */
export function form(
  action: string,
  csrf: string,
  fields: Html,
  opts: { className?: string; label?: string } = {},
): Html {
  return html`<form
    method="post"
    action="${action}"
    ${opts.className ? html` class="${opts.className}"` : ''}${opts.label ? html` aria-label="${opts.label}"` : ''}
  >
    <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
    ${fields}
  </form>`;
}

/** A labelled input; `hint` is read out with it (aria-describedby). */
export function field(opts: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  minlength?: number;
}): Html {
  const id = `field-${opts.name}`;
  return html`<div class="field">
    <label for="${id}">${opts.label}</label>
    <input
      id="${id}"
      name="${opts.name}"
      type="${opts.type ?? 'text'}"
      ${opts.value ? html` value="${opts.value}"` : ''}${
        opts.required ? html` required` : ''
      }${opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ''}${
        opts.minlength ? html` minlength="${String(opts.minlength)}"` : ''
      }${opts.hint ? html` aria-describedby="${id}-hint"` : ''}
    />
    ${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : ''}
  </div>`;
}

/** A labelled select. */
export function select(opts: {
  name: string;
  label: string;
  options: Array<[string, string]>;
  value?: string;
}): Html {
  const id = `field-${opts.name}`;
  return html`<div class="field">
    <label for="${id}">${opts.label}</label>
    <select id="${id}" name="${opts.name}">
      ${opts.options.map(
        ([value, label]) =>
          html`<option value="${value}" ${value === opts.value ? html` selected` : ''}>${label}</option>`,
      )}
    </select>
  </div>`;
}

/** A table with a caption (its accessible name) and header cells; `rows` are lists of cells. */
export function table(caption: string, headers: string[], rows: Array<Array<Html | string | number | null>>): Html {
  if (rows.length === 0) return html`<p class="empty">${caption}: none.</p>`;
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${headers.map((h) => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${row.map((cell) => html`<td>${cell ?? '—'}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A button in its own small form: one action on one row (turn off, revoke, resend). */
export function actionButton(
  action: string,
  csrf: string,
  label: string,
  opts: { hidden?: Record<string, string>; danger?: boolean } = {},
): Html {
  return form(
    action,
    csrf,
    html`${Object.entries(opts.hidden ?? {}).map(
        ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
      )} <button type="submit" ${opts.danger ? html` class="danger"` : ''}>${label}</button>`,
    { className: 'inline' },
  );
}
