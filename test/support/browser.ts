/// <reference lib="dom" />
// A real browser for the page tests: Debian's chromium driven by playwright-core (no browser
// download; `stack/stack.sh install` installs the package). Each page a test visits can be checked
// with axe-core (0 serious or critical violations) and saved as a screenshot under screenshots/
// (ignored by git) for a person to look at.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './local-env';

export const SCREENSHOTS = join(repoRoot, 'screenshots');

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('bash', [join(repoRoot, 'stack', 'stack.sh'), 'chromium-path'], { encoding: 'utf8' }).trim();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface PageProblems {
  /** Console errors (a CSP violation is one), failed requests, uncaught page errors. */
  errors: string[];
}

/** A fresh context (its own cookies) and page, recording what goes wrong in the page. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (err) => problems.errors.push(`page: ${err.message}`));
  page.on('requestfailed', (request) => {
    // A navigation the page itself replaces (a 303 after a form) is not a failure.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.errors.push(`request: ${request.url()} ${request.failure()?.errorText}`);
  });
  return { context, page, problems };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/**
 * axe-core on the page as it is now: the serious and critical violations (none is the bar). axe is
 * evaluated through the DevTools protocol, so the page's own CSP (script-src 'self') stays as it is.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: any[] }> } })
      .axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves the page under screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Checks the page with axe and saves its screenshot: what every browser test does on every page it shows. */
export async function lookAt(page: Page, name: string): Promise<AxeViolation[]> {
  await screenshot(page, name);
  return axeViolations(page);
}

/** Signs in through the hosted sign-in page, as a person would. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console/);
}

/** The hosted-page link in an email's text, moved to the API under test (emails name PUBLIC_BASE_URL). */
export function pageLinkIn(text: string, baseUrl: string): string {
  const match = text.match(
    /https?:\/\/[^\s/]+(\/(?:invite|reset-password|verify-email)\/[0-9a-f-]{36}\?token=[A-Za-z0-9_-]{43})/,
  );
  if (!match) throw new Error(`no page link in email:\n${text}`);
  return `${baseUrl}${match[1]}`;
}
