// The one policy decision point (AM-3): "may principal P do action A on resource R?". Every route,
// workflow command and consumer asks it. The policies are Cedar files beside this one
// (policies/*.cedar, typed by schema.cedarschema); the entities come from the database for each
// decision (entities.ts). Cedar runs embedded (WebAssembly), so a decision is a function call.
import './wasm-calls';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import {
  MissingResource,
  principalEntity,
  resourceEntities,
  uid,
  type PrincipalRow,
  type Reader,
  type ResourceRef,
} from './entities';

export type Action =
  | 'viewOrganization'
  | 'requestThirdPartyAccess'
  | 'listThirdParties'
  | 'setThirdPartyAccess'
  | 'removeThirdParty'
  | 'reviewThirdParty'
  | 'addBusinessPartner'
  | 'listTasks'
  | 'createTask'
  | 'viewAccessLedger'
  | 'revokeGrant'
  | 'listClientRelationships'
  | 'listOrganizationAccessInvitations'
  | 'manageAccessReviews'
  | 'decideAccessReview'
  | 'openPracticeStaff'
  | 'invitePracticeStaff'
  | 'offerRoleAboveStaff'
  | 'changePracticeRole'
  | 'removePracticeStaff'
  | 'offboardPracticeStaff'
  | 'inviteToCertification'
  | 'requestClientRelationship'
  | 'listFirmClientRelationships'
  | 'downloadCertificate'
  | 'approveClientRelationship'
  | 'declineClientRelationship'
  | 'terminateClientRelationship'
  | 'extendClientRelationship'
  | 'viewClientRelationship'
  | 'grantOrganizationAccess'
  | 'editBusinessPartner'
  | 'addBusinessPartnerPeople'
  | 'blockBusinessPartnerCompany'
  | 'deleteBusinessPartnerCompany'
  | 'takeBusinessPartnerControl'
  | 'viewTask'
  | 'shareTask'
  | 'viewThirdParty'
  | 'viewInvitation'
  | 'resendInvitation'
  | 'revokeInvitation'
  | 'listInvitations'
  | 'managePortalPartners'
  | 'submitTicket'
  | 'freePortalEmail'
  | 'listThirdPartyRequests'
  | 'viewTicket'
  | 'reportAccountOwner'
  | 'viewCustomerAccount'
  | 'exportCustomerAccount'
  | 'suspendCustomerAccount'
  | 'manageCustomerUsers'
  | 'manageCustomerAdmins'
  | 'inviteAccountGuest'
  | 'switchIntoAccount'
  | 'viewPartnerAccount'
  | 'listCustomerAccounts'
  | 'assignLicence'
  /** Issue 12: the codec server's decode, for operators. */
  | 'decodeTemporalPayloads';

/** Another system that talks to the engine through Kafka (INT-1, INT-2). */
export type Service = 'help-desk' | 'crm';

export interface Request {
  principalId: string;
  /** PA-5: the customer account the principal's token is switched into. */
  switchedInto?: string;
  action: Action;
  resource: ResourceRef;
  /** Users the context names (e.g. the invitee of a grant), by context key. */
  contextUsers?: Record<string, string>;
  /**
   * The principal's row as this same request read it with its actor (issue 13: not read again). Only
   * the request's own check passes it, before its handler changes anything; never one from another request.
   */
  principalRead?: PrincipalRow;
}

export interface Decision {
  allowed: boolean;
  /** The ids of the policies that decided (`@id` annotations). */
  policies: string[];
  /** The resource does not exist. */
  missing?: boolean;
  /** The roles the principal was decided with (a handler that shows them need not read them again). */
  principalRoles?: string[];
}

export const AUTHORIZATION_DIR = join(__dirname);

/** The policy files and the schema, as text (also read by the schema validation test). */
export function policySources(): { schema: string; policies: string } {
  const dir = join(AUTHORIZATION_DIR, 'policies');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cedar'))
    .sort();
  return {
    schema: readFileSync(join(AUTHORIZATION_DIR, 'schema.cedarschema'), 'utf8'),
    policies: files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n'),
  };
}

let prepared = false;
const POLICY_SET_ID = 'partner-access';

/** Parses the policies once per process; a policy that does not parse stops the process at start. */
function prepare(): void {
  if (prepared) return;
  const answer = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: byId(policySources().policies) });
  if (answer.type !== 'success') {
    throw new Error(`authorization policies do not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  prepared = true;
}

/**
 * The policies keyed by their `@id` annotation. Given one text, Cedar names them policy0, policy1...
 * by position; keyed, a decision's `policies` are the ids the files give them, which a caller can
 * answer by (BP-6: a refusal because the partner took control says so).
 */
function byId(text: string): Record<string, string> {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') {
    throw new Error(`authorization policies do not parse: ${parts.errors.map((e) => e.message).join('; ')}`);
  }
  const policies: Record<string, string> = {};
  parts.policies.forEach((policy, i) => {
    const json = cedar.policyToJson(policy);
    const id = (json.type === 'success' && json.json.annotations?.id) || `policy${i}`;
    if (policies[id]) throw new Error(`two authorization policies have the id "${id}"`);
    policies[id] = policy;
  });
  return policies;
}

export class Authorizer {
  /** Over the database, or inside a transaction when the decision must see what it is about to change. */
  constructor(private readonly db: Reader) {
    prepare();
  }

  async decide(request: Request): Promise<Decision> {
    const contextIds = Object.entries(request.contextUsers ?? {});
    const people = [request.principalId, ...contextIds.map(([, id]) => id)];
    // The resource and the people are read at once: a decision costs one round of queries.
    const [resource, principals] = await Promise.all([
      resourceEntities(this.db, request.resource).catch((err: unknown) => {
        if (err instanceof MissingResource) return null;
        throw err;
      }),
      Promise.all(
        [...new Set(people)].map((id) =>
          id === request.principalId
            ? principalEntity(this.db, id, request.switchedInto, request.principalRead)
            : principalEntity(this.db, id),
        ),
      ),
    ]);
    if (!resource) return { allowed: false, policies: [], missing: true };
    const principalRoles = principals[0].parents.map((parent) => ('id' in parent ? parent.id : parent.__entity.id));
    const decision = decideWith({
      principal: uid('User', request.principalId),
      action: request.action,
      resource: resource.uid,
      context: Object.fromEntries(contextIds.map(([key, id]) => [key, { __entity: uid('User', id) }])),
      entities: [...principals, ...resource.entities],
    });
    return { ...decision, principalRoles };
  }
}

export interface ServiceRequest {
  service: Service;
  action: Action;
  resource: ResourceRef;
}

/**
 * The same decision for a consumer, whose principal is the system that produced the message. Until
 * the broker authenticates producers (SASL), the topic is the identity: each topic has one producer.
 */
export async function decideForService(db: Reader, request: ServiceRequest): Promise<Decision> {
  const resource = await resourceEntities(db, request.resource);
  const principal = { uid: uid('Service', request.service), attrs: {}, parents: [] };
  return decideWith({
    principal: principal.uid,
    action: request.action,
    resource: resource.uid,
    context: {},
    entities: [principal, ...resource.entities],
  });
}

export interface PreparedRequest {
  principal: ReturnType<typeof uid>;
  action: Action;
  resource: ReturnType<typeof uid>;
  context: Record<string, unknown>;
  entities: EntityJson[];
}

/** A decision over entities already in hand (the policy unit tests and the benchmark use it too). */
export function decideWith(request: PreparedRequest): Decision {
  prepare();
  const answer = cedar.statefulIsAuthorized({
    principal: request.principal,
    action: { type: 'PartnerAccess::Action', id: request.action },
    resource: request.resource,
    context: request.context as never,
    preparsedPolicySetId: POLICY_SET_ID,
    entities: dedupe(request.entities),
  });
  if (answer.type !== 'success') {
    throw new Error(`authorization failed to evaluate: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  const errors = answer.response.diagnostics.errors;
  if (errors.length > 0)
    throw new Error(`a policy failed to evaluate: ${errors.map((e) => e.error.message).join('; ')}`);
  return { allowed: answer.response.decision === 'allow', policies: answer.response.diagnostics.reason };
}

function dedupe(entities: EntityJson[]): EntityJson[] {
  const seen = new Map<string, EntityJson>();
  for (const e of entities) {
    const key = JSON.stringify(e.uid);
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}
