// Issue 13 versioning: long-lived workflows read their input with schemas frozen per version
// (workflows/*/input.v1.ts), so tightening an API schema cannot break a running workflow when it next
// continues as new. Frozen means: nothing imported that can change under them, and nothing edited.
// `SAVE_FROZEN_INPUTS=1` writes a missing snapshot (a new version's); an existing one is never rewritten.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ThirdPartyAccessInputV1 } from '../../workflows/third-party-access/input.v1';
import { InvitationInputV1 } from '../../workflows/invitation/input.v1';
import { ClientRelationshipInputV1 } from '../../workflows/client-relationship/input.v1';

const root = join(__dirname, '..', '..');
const FROZEN: Array<{ workflow: string; version: string; schema: z.ZodType }> = [
  { workflow: 'third-party-access', version: 'ThirdPartyAccessInputV1', schema: ThirdPartyAccessInputV1 },
  { workflow: 'invitation', version: 'InvitationInputV1', schema: InvitationInputV1 },
  { workflow: 'client-relationship', version: 'ClientRelationshipInputV1', schema: ClientRelationshipInputV1 },
];

/** The schema as JSON Schema, references inlined: what it accepts, independent of how it is written. */
function shape(schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const defs = (json.$defs ?? {}) as Record<string, unknown>;
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (!node || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (typeof o.$ref === 'string') return inline(defs[o.$ref.split('/').pop()!]);
    const kept = Object.entries(o).filter(([k]) => !['$defs', 'id', 'description'].includes(k));
    return Object.fromEntries(kept.map(([k, v]) => [k, inline(v)]));
  };
  return inline(json);
}

it.each(FROZEN)('issue 13 versioning: $version imports nothing but zod', ({ workflow }) => {
  const source = readFileSync(join(root, 'workflows', workflow, 'input.v1.ts'), 'utf8');
  const imports = [...source.matchAll(/^import [^;]*? from '([^']+)';/gm)].map((m) => m[1]);
  expect(imports).toEqual(['zod']);
});

it.each(FROZEN)('issue 13 versioning: the $workflow workflow parses its input with $version', (frozen) => {
  const { workflow, version } = frozen;
  const source = readFileSync(join(root, 'workflows', workflow, 'workflow.ts'), 'utf8');
  expect(source).toContain(`${version}.safeParse(rawInput)`);
  expect(source).toMatch(new RegExp(`import \\{ ${version} \\} from './input\\.v1';`));
});

it.each(FROZEN)(
  'issue 13 versioning: $version accepts what it accepted when it was frozen',
  ({ version, schema }) => {
    const file = join(root, 'test', 'fixtures', 'frozen-inputs', `${version}.json`);
    if (process.env.SAVE_FROZEN_INPUTS && !existsSync(file)) {
      writeFileSync(file, `${JSON.stringify(shape(schema), null, 2)}\n`);
    }
    // A difference here is an edit to a frozen schema: undo it, and make a V2 behind patched() instead.
    expect(shape(schema)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  },
);

it('issue 13 versioning: the frozen schemas still trim names and normalize emails, as when frozen', () => {
  const u = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
  const timings = {
    expirySeconds: 60,
    reminderBeforeSeconds: 0,
    renewalWindowSeconds: 0,
    resendMinIntervalSeconds: 0,
    resendsPerDay: 1,
  };
  const invitee = { email: ' Ann@Vendor.Example ', firstName: ' Ann ', lastName: 'Lee' };
  const invitation = { kind: 'BUSINESS_PARTNER', scopeId: u, invitee, invitedByUserId: null, timings };
  const parsed = InvitationInputV1.parse(invitation);
  expect(parsed.invitee).toEqual({ email: 'ann@vendor.example', firstName: 'Ann', lastName: 'Lee' });
  const thirdParty = { name: ' Carla ', firmName: 'Ledgerwise ', email: 'carla@ledgerwise.example' };
  const tpu = {
    organizationId: u,
    relationshipId: 'a'.repeat(32),
    thirdParty,
    origin: 'CRM',
    requestedByUserId: null,
    ticketId: null,
  };
  const trimmed = { ...thirdParty, name: 'Carla', firmName: 'Ledgerwise' };
  expect(ThirdPartyAccessInputV1.parse(tpu).thirdParty).toEqual(trimmed);
  const control = { ...tpu, thirdParty: { ...thirdParty, name: 'a\u0007b' } };
  expect(ThirdPartyAccessInputV1.safeParse(control).success).toBe(false);
});
