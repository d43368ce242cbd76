// AM-3 for the console: it decides nothing itself. Every read and action is an API route called in
// process (api/pages/console.ts), so the authorization matrix over the routes covers the console too,
// provided each key a page calls names a route the API really has. A typo would otherwise surface
// only when someone opens that page.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRoutes, type ApiDeps } from '../../api/app';

const CONSOLE = join(__dirname, '..', '..', 'api', 'pages', 'console');
const KEY = /'((?:GET|POST|PUT|PATCH|DELETE) \/[^']*)'/g;

it('AM-3 every API route the console calls exists, so the matrix over the routes decides the console too', () => {
  // Route definitions only: nothing is called while they are built.
  const routes = allRoutes({ checks: [] } as unknown as ApiDeps);
  const keys = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  const called: string[] = [];
  for (const file of readdirSync(CONSOLE).filter((f) => f.endsWith('.ts'))) {
    for (const match of readFileSync(join(CONSOLE, file), 'utf8').matchAll(KEY)) called.push(match[1]);
  }
  expect(called.length).toBeGreaterThan(0);
  expect(called.filter((key) => !keys.has(key))).toEqual([]);
});
