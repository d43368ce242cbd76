// The API keeps to its OpenAPI document: with the check on (as every test API has it), an answer
// whose status the route does not list, or whose body its schema refuses, is a defect (500).
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { mountRoutes, route, type AnyRoute } from '../../api/routes';
import { Problem, problemHandler } from '../../api/problem';
import { Authorizer } from '../../domain/authorization/authorizer';
import { createLogger } from '../../platform/logger';

async function serve(routes: AnyRoute[]) {
  const app = express();
  const router = express.Router();
  const noAuth: express.RequestHandler = (_req, _res, next) => next();
  mountRoutes(router, routes, noAuth, new Authorizer(undefined as never), { checkContract: true });
  app.use(router);
  app.use(problemHandler(createLogger('contract-test', 'silent')));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { get: async (path: string) => (await fetch(url + path)).status, close: () => server.close() };
}

const Answer = z.object({ ok: z.literal(true) });
const declared = (path: string, handler: AnyRoute['handler']) =>
  route({
    method: 'get',
    path,
    summary: 'a route of the contract test',
    tags: ['test'],
    auth: false,
    responses: { 200: { description: 'fine', schema: Answer } },
    problems: ['conflict'],
    authorize: { anyone: 'a test' },
    handler,
  });

it('API answers keep to the OpenAPI entry: an unlisted status or a body the schema refuses is a 500', async () => {
  const api = await serve([
    declared('/kept', async () => ({ status: 200, body: { ok: true } })),
    declared('/listed-problem', async () => {
      throw new Problem('conflict', 'listed');
    }),
    declared('/unlisted-status', async () => ({ status: 201, body: { ok: true } })),
    declared('/wrong-body', async () => ({ status: 200, body: { ok: 'yes' } })),
    declared('/unlisted-problem', async () => {
      throw new Problem('unprocessable', 'not listed');
    }),
  ]);
  try {
    expect({
      kept: await api.get('/kept'),
      listedProblem: await api.get('/listed-problem'),
      unlistedStatus: await api.get('/unlisted-status'),
      wrongBody: await api.get('/wrong-body'),
      unlistedProblem: await api.get('/unlisted-problem'),
    }).toEqual({ kept: 200, listedProblem: 409, unlistedStatus: 500, wrongBody: 500, unlistedProblem: 500 });
  } finally {
    api.close();
  }
});
