// AM-3: the policies are valid against their schema, and say what the README's role tables say.
// Pure logic: Cedar evaluates in-memory entities, built the way entities.ts builds them from the
// database (the integration matrix checks the database side).
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { decideWith, policySources, type Action } from '../../domain/authorization/authorizer';
import { firmEntity, organizationEntity, roleIds, uid } from '../../domain/authorization/entities';

const ORG = 'org-1';
const FIRM = 'firm-1';
const ref = (type: string, id: string) => ({ __entity: uid(type, id) }) as never;
const role = (id: string) => ref('Role', id);
const organization = organizationEntity(ORG);
const firm = firmEntity(FIRM);
const relationship = (state: { active: boolean; pending: boolean }): EntityJson => ({
  uid: uid('ClientRelationship', 'rel-1'),
  attrs: { firm: ref('PartnerFirm', FIRM), organization: ref('Organization', ORG), ...state },
  parents: [],
});
const user = (id: string, roles: string[], active = true): EntityJson => ({
  uid: uid('User', id),
  attrs: { active },
  parents: roles.map((r) => uid('Role', r)),
});

const people = {
  orgAdmin: user('olivia', [roleIds.organization(ORG, 'ORG_ADMIN')]),
  productAdmin: user('paula', [roleIds.organization(ORG, 'PRODUCT_ADMIN')]),
  member: user('max', [roleIds.organization(ORG, 'MEMBER')]),
  thirdParty: user('carla', [roleIds.organization(ORG, 'THIRD_PARTY')]),
  support: user('sam', [roleIds.support]),
  userManager: user('uma', [roleIds.firm(FIRM, 'USER_MANAGER'), roleIds.firm(FIRM, 'STAFF')]),
  staff: user('sid', [roleIds.firm(FIRM, 'STAFF')]),
  accountOwner: user('ava', [roleIds.firm(FIRM, 'ACCOUNT_OWNER'), roleIds.firm(FIRM, 'STAFF')]),
  deactivatedAdmin: user('ghost', [roleIds.organization(ORG, 'ORG_ADMIN')], false),
};
type Person = keyof typeof people;

function allowed(who: Person, action: Action, resource: EntityJson, extra: EntityJson[] = [], context = {}): boolean {
  return decideWith({
    principal: people[who].uid as ReturnType<typeof uid>,
    action,
    resource: resource.uid as ReturnType<typeof uid>,
    context,
    entities: [...Object.values(people), organization, firm, resource, ...extra],
  }).allowed;
}

describe('AM-3 policies', () => {
  it('AM-3 the policies validate against the schema (strict mode)', () => {
    const { schema, policies } = policySources();
    const answer = cedar.validate({
      schema,
      policies: { staticPolicies: policies },
      validationSettings: { mode: 'strict' },
    });
    expect(answer.type).toBe('success');
    if (answer.type === 'success') expect(answer.validationErrors).toEqual([]);
  });

  it(
    'TPU-4 a third party with access on works in the organization but holds none of the own ' + "org admins' powers",
    () => {
      expect(allowed('thirdParty', 'viewOrganization', organization)).toBe(true);
      expect(allowed('thirdParty', 'createTask', organization)).toBe(true);
      for (const power of [
        'requestThirdPartyAccess',
        'setThirdPartyAccess',
        'removeThirdParty',
        'viewAccessLedger',
        'revokeGrant',
      ] as const) {
        expect({ power, allowed: allowed('thirdParty', power, organization) }).toEqual({ power, allowed: false });
        expect({ power, allowed: allowed('orgAdmin', power, organization) }).toEqual({ power, allowed: true });
      }
    },
  );

  it('TPU-2 TPU-4 org contacts request third parties; only org admins toggle them', () => {
    expect(allowed('productAdmin', 'requestThirdPartyAccess', organization)).toBe(true);
    expect(allowed('member', 'requestThirdPartyAccess', organization)).toBe(false);
    expect(allowed('productAdmin', 'setThirdPartyAccess', organization)).toBe(false);
    expect(allowed('support', 'reviewThirdParty', organization)).toBe(true);
    expect(allowed('orgAdmin', 'reviewThirdParty', organization)).toBe(false);
  });

  it('AM-2 a manager grants access to staff only under an active relationship, and never to themself', () => {
    const active = relationship({ active: true, pending: false });
    const grant = (who: Person, invitee: Person, rel = active) =>
      allowed(who, 'grantOrganizationAccess', rel, [], { invitee: { __entity: people[invitee].uid } });
    expect(grant('userManager', 'staff')).toBe(true);
    expect(grant('userManager', 'userManager')).toBe(false);
    expect(grant('staff', 'staff')).toBe(false);
    expect(grant('userManager', 'member')).toBe(false);
    expect(grant('userManager', 'staff', relationship({ active: false, pending: false }))).toBe(false);
  });

  it("AM-2 only the client's org admins approve; either side terminates", () => {
    const pending = relationship({ active: false, pending: true });
    expect(allowed('orgAdmin', 'approveClientRelationship', pending)).toBe(true);
    expect(allowed('accountOwner', 'approveClientRelationship', pending)).toBe(false);
    expect(allowed('orgAdmin', 'terminateClientRelationship', pending)).toBe(true);
    expect(allowed('accountOwner', 'terminateClientRelationship', pending)).toBe(true);
    expect(allowed('userManager', 'terminateClientRelationship', pending)).toBe(false);
  });

  it("AM-2 only the client's org admins extend a relationship, and only an active one", () => {
    const active = relationship({ active: true, pending: false });
    expect(allowed('orgAdmin', 'extendClientRelationship', active)).toBe(true);
    for (const who of ['accountOwner', 'userManager', 'productAdmin', 'deactivatedAdmin'] as const) {
      expect({ who, allowed: allowed(who, 'extendClientRelationship', active) }).toEqual({ who, allowed: false });
    }
    for (const pending of [true, false]) {
      expect(allowed('orgAdmin', 'extendClientRelationship', relationship({ active: false, pending }))).toBe(false);
    }
  });

  it('AM-3 INT-1 INT-2 consumers decide too: each system may report only what its topic carries', () => {
    const desk: EntityJson = {
      uid: uid('SupportDesk', 'desk'),
      attrs: { agents: role(roleIds.support) },
      parents: [],
    };
    const inbound: EntityJson = { uid: uid('Integration', 'inbound'), attrs: {}, parents: [] };
    const service = (id: string, action: Action, resource: EntityJson) =>
      decideWith({
        principal: uid('Service', id) as ReturnType<typeof uid>,
        action,
        resource: resource.uid as ReturnType<typeof uid>,
        context: {},
        entities: [{ uid: uid('Service', id), attrs: {}, parents: [] }, resource],
      }).allowed;
    expect(service('help-desk', 'submitTicket', desk)).toBe(true);
    expect(service('crm', 'submitTicket', desk)).toBe(false);
    expect(service('crm', 'reportAccountOwner', inbound)).toBe(true);
    expect(service('help-desk', 'reportAccountOwner', inbound)).toBe(false);
  });

  it('AM-3 a deactivated account does nothing, whatever it still holds', () => {
    expect(allowed('deactivatedAdmin', 'viewOrganization', organization)).toBe(false);
    expect(allowed('deactivatedAdmin', 'revokeGrant', organization)).toBe(false);
  });
});

describe('BP-5 BP-6 business partner company policies', () => {
  // The inviter is `max` (an employee); `bea` is a connected ADMIN of the company, `mo` a connected MEMBER.
  const admin = user('bea', []);
  const partnerMember = user('mo', []);
  const company = (state: { blocked?: boolean; controlled?: boolean } = {}): EntityJson => ({
    uid: uid('BusinessPartnerCompany', 'company-1'),
    attrs: {
      owner: ref('User', 'max'),
      organization: ref('Organization', ORG),
      admins: [ref('User', 'bea')],
      blocked: state.blocked ?? false,
      controlled: state.controlled ?? false,
    },
    parents: [],
  });
  const decide = (who: EntityJson, action: Action, resource: EntityJson) =>
    decideWith({
      principal: who.uid as ReturnType<typeof uid>,
      action,
      resource: resource.uid as ReturnType<typeof uid>,
      context: {},
      entities: [...Object.values(people), admin, partnerMember, organization, resource],
    });
  const ownerActions = [
    'editBusinessPartner',
    'addBusinessPartnerPeople',
    'blockBusinessPartnerCompany',
    'deleteBusinessPartnerCompany',
  ] as const;

  it('BP-5 the inviter manages a company on their list; nobody else does, not even its own admin', () => {
    for (const action of ownerActions) {
      const who = (person: EntityJson) => decide(person, action, company()).allowed;
      const got = { action, inviter: who(people.member), orgAdmin: who(people.orgAdmin), partnerAdmin: who(admin) };
      expect(got).toEqual({ action, inviter: true, orgAdmin: false, partnerAdmin: false });
    }
  });

  it('BP-6 only a connected ADMIN of the company takes control; a MEMBER partner and the inviter do not', () => {
    expect(decide(admin, 'takeBusinessPartnerControl', company()).allowed).toBe(true);
    expect(decide(partnerMember, 'takeBusinessPartnerControl', company()).allowed).toBe(false);
    expect(decide(people.member, 'takeBusinessPartnerControl', company()).allowed).toBe(false);
    const deactivated = user('bea', [], false);
    expect(
      decideWith({
        principal: deactivated.uid as ReturnType<typeof uid>,
        action: 'takeBusinessPartnerControl',
        resource: company().uid as ReturnType<typeof uid>,
        context: {},
        entities: [deactivated, organization, company()],
      }).allowed,
    ).toBe(false);
  });

  it('BP-6 in control: partner-in-control refuses the inviter (named in the decision); its admins edit, add', () => {
    const controlled = company({ controlled: true });
    for (const action of ownerActions) {
      expect({ action, ...decide(people.member, action, controlled) }).toEqual({
        action,
        allowed: false,
        policies: ['business-partners.partner-in-control'],
      });
    }
    expect(decide(admin, 'editBusinessPartner', controlled)).toEqual({
      allowed: true,
      policies: ['business-partners.company-admins'],
    });
    expect(decide(admin, 'addBusinessPartnerPeople', controlled).allowed).toBe(true);
    expect(decide(admin, 'blockBusinessPartnerCompany', controlled).allowed).toBe(false);
    expect(decide(admin, 'deleteBusinessPartnerCompany', controlled).allowed).toBe(false);
    expect(decide(partnerMember, 'editBusinessPartner', controlled).allowed).toBe(false);
    // Before control, a plain refusal names no policy: the API answers it as not found.
    expect(decide(admin, 'editBusinessPartner', company())).toEqual({ allowed: false, policies: [] });
  });
});
