// Issue 12 (encrypted payloads), the proof on the real stack: a partner user's invitation carries a
// first and last name, an email and a phone through the invitation workflow. The history the server
// keeps, read raw by the real `temporal` CLI, holds none of them; the same history's payloads,
// decoded through the codec server over HTTP as the Temporal UI does, hold them all.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mailSink, config, uniqueSuffix } from '../support/services';
import { startTestApi, type TestApi } from '../support/api';
import { startTestWorker, type TestWorker } from '../support/worker';
import { createUser } from '../support/world';
import { linkIn } from '../support/links';
import { payloadsIn, rawHistoryArgs, saveHistory, temporalCliPath, type PayloadJson } from '../support/histories';
import { payloadCodec } from '../../platform/payload-codec';

const run = promisify(execFile);
let api: TestApi;
let worker: TestWorker;

beforeAll(async () => {
  worker = await startTestWorker();
  api = await startTestApi({
    taskQueue: worker.taskQueue,
    codec: { codec: payloadCodec(config), access: 'operator', corsOrigins: ['http://127.0.0.1:8233'] },
  });
});
afterAll(async () => {
  await api?.close();
  await worker?.stop();
});

/** What a reader of the history sees: the JSON as printed, and each payload's bytes as text. */
const readable = (json: string, payloads: PayloadJson[]) =>
  [json, ...payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))].join('\n');

it(
  'issue 12 encrypted payloads: the raw history shows no name, email or ' +
    'phone; the codec server shows them to an operator',
  async () => {
    const portalAdmin = await createUser(api.db);
    await api.db.portalAdmin.create({ data: { userId: portalAdmin.id, role: 'ADMIN' } });
    const admin = await api.token(portalAdmin.id);
    const partner = await api.call('POST', '/portal/partners', {
      token: admin,
      body: { name: `Ciphers ${uniqueSuffix()}`, email: `hello-${uniqueSuffix()}@ciphers.example` },
    });
    expect(partner.status).toBe(201);
    const person = {
      firstName: 'Evangelina',
      lastName: 'Okonkwo-Brandt',
      email: `evangelina-${uniqueSuffix()}@ciphers.example`,
      phone: '+1 415 555 0199',
    };
    const added = await api.call('POST', `/portal/partners/${partner.body.partnerId}/users`, {
      token: admin,
      body: person,
    });
    expect(added.status).toBe(201);
    // Accepted, so the run completes: the history holds the input, activities' inputs and results, an update.
    const link = linkIn((await mailSink.waitFor(person.email, /Set your password/)).text);
    const accepted = await api.call('POST', `/invitations/${link.id}/accept`, {
      body: { token: link.token, password: 'correct horse battery staple' },
    });
    expect(accepted.status).toBe(200);
    const { workflowId } = await api.db.invitation.findUniqueOrThrow({
      where: { id: added.body.invitation.invitationId },
    });
    const handle = api.temporal.workflow.getHandle(workflowId);
    await handle.result();

    // What the server keeps, as the CLI prints it to anyone who can reach the cluster (no codec endpoint).
    const show = rawHistoryArgs(workflowId);
    const { stdout } = await run(temporalCliPath(), show, { maxBuffer: 32 * 1024 * 1024 });
    const payloads = payloadsIn(JSON.parse(stdout));
    expect(payloads.length).toBeGreaterThan(5);
    const sensitive = [person.firstName, person.lastName, person.email, '+14155550199', '415 555 0199', '4155550199'];
    const raw = readable(stdout, payloads);
    expect(sensitive.filter((s) => raw.toLowerCase().includes(s.toLowerCase()))).toEqual([]);

    // The same payloads through the codec server, as the Temporal UI sends them with an operator's token.
    const agent = await createUser(api.db);
    await api.db.supportAgent.create({ data: { userId: agent.id } });
    const res = await fetch(`${api.url}/codec/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': config.TEMPORAL_NAMESPACE,
        authorization: `Bearer ${await api.token(agent.id)}`,
      },
      body: JSON.stringify({ payloads }),
    });
    expect(res.status).toBe(200);
    const decoded = readable('', ((await res.json()) as { payloads: PayloadJson[] }).payloads);
    const shown = [person.firstName, person.lastName, person.email, '+14155550199'];
    for (const s of shown) expect(decoded).toContain(s);

    // And as an operator's CLI does, through the same endpoint with their token.
    const viaCli = await run(
      temporalCliPath(),
      [...show, '--codec-endpoint', `${api.url}/codec`, '--codec-auth', `Bearer ${await api.token(agent.id)}`],
      { maxBuffer: 32 * 1024 * 1024 },
    );
    const cliText = readable(viaCli.stdout, payloadsIn(JSON.parse(viaCli.stdout)));
    for (const s of shown) expect(cliText).toContain(s);
    await saveHistory('invitation-encrypted', handle);
  },
);
