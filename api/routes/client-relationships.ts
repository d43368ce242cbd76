// AM-2 over HTTP: a partner firm works for a client organization only under a relationship the
// organization's org admins approved, with a role ceiling and an end date. Thin: the use cases are
// domain/client-relationships.ts, the decisions the policies'.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { OrganizationId, PartnerFirmId } from '../../domain/messages/values/identifiers';
import {
  DeclineClientRelationshipV1,
  ExtendClientRelationshipV1,
  RequestClientRelationshipV1,
  TerminateClientRelationshipV1,
} from '../../domain/messages/commands/access.v1';
import { ClientRelationshipV1 } from '../../domain/messages/queries/access.v1';
import { ClientRelationships } from '../../domain/client-relationships';
import { ClientRelationshipRefusal as WorkflowRefusal } from '../../workflows/client-relationship/messages';
import type { ClientRelationshipsClient } from '../../workflows/client-relationship/client';
import { route, type Check } from '../routes';
import { Problem, type ProblemType } from '../problem';
import { workflowCommand } from '../workflow-command';

const FirmPath = z.strictObject({ partnerFirmId: PartnerFirmId });
const OrgPath = z.strictObject({ organizationId: OrganizationId });
const RelationshipPath = z.strictObject({ clientRelationshipId: z.uuid() });
const ListV1 = z.object({ items: z.array(ClientRelationshipV1) }).meta({ id: 'ClientRelationshipListV1' });

export function clientRelationshipRoutes(db: Database, client: ClientRelationshipsClient) {
  const relationships = new ClientRelationships({ db, relationships: client });
  const tags = ['client relationships'];
  const refusals = { [WorkflowRefusal.conflict]: 'conflict', [WorkflowRefusal.gone]: 'not-found' } as const;
  const run = <T>(fn: () => Promise<T>, more: Record<string, ProblemType> = {}) =>
    workflowCommand(fn, {
      subject: 'the client relationship',
      notFound: new Problem('conflict', 'This client relationship has ended.'),
      refusals: { ...refusals, ...more },
    });
  const onRelationship =
    (action: Check['action'], denial: string) =>
    ({ params }: { params: { clientRelationshipId: string } }): Check => ({
      action,
      resource: { type: 'ClientRelationship', id: params.clientRelationshipId },
      denial,
    });
  const ok = (body: ClientRelationshipV1) => ({ status: 200, body });

  return [
    route({
      method: 'post',
      path: '/partner-firms/:partnerFirmId/client-relationships',
      summary:
        "AM-2: the firm's Account Owner asks a client organization for a relationship (its org admins approve)",
      tags,
      auth: true,
      params: FirmPath,
      body: RequestClientRelationshipV1,
      responses: { 201: { description: 'Asked; waiting for approval', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unsupported-media-type', 'not-ready'],
      authorize: ({ params }) => ({
        action: 'requestClientRelationship',
        resource: { type: 'PartnerFirm', id: params.partnerFirmId },
        denial: "Only the firm's Account Owner asks for a client relationship.",
      }),
      handler: async ({ actor, params, body }) => ({
        status: 201,
        body: await run(() => relationships.request(actor.userId, params.partnerFirmId, body)),
      }),
    }),
    route({
      method: 'get',
      path: '/partner-firms/:partnerFirmId/client-relationships',
      summary: "AM-2: the firm's client relationships, asked for, in force and ended",
      tags,
      auth: true,
      params: FirmPath,
      responses: { 200: { description: 'Newest first', schema: ListV1 } },
      problems: ['forbidden'],
      authorize: ({ params }) => ({
        action: 'listFirmClientRelationships',
        resource: { type: 'PartnerFirm', id: params.partnerFirmId },
        denial: "Only Account Owners, Account Managers and User Managers see the firm's client relationships.",
      }),
      handler: async ({ params }) => ({
        status: 200,
        body: { items: await relationships.list({ partnerFirmId: params.partnerFirmId }) },
      }),
    }),
    route({
      method: 'get',
      path: '/organizations/:organizationId/client-relationships',
      summary: 'AM-2: the partner firms working for the organization, or asking to (its org admins)',
      tags,
      auth: true,
      params: OrgPath,
      responses: { 200: { description: 'Newest first', schema: ListV1 } },
      problems: ['forbidden'],
      authorize: ({ params }) => ({
        action: 'listClientRelationships',
        resource: { type: 'Organization', id: params.organizationId },
        denial: "Only the organization's org admins see its client relationships.",
      }),
      handler: async ({ params }) => ({
        status: 200,
        body: { items: await relationships.list({ organizationId: params.organizationId }) },
      }),
    }),
    route({
      method: 'get',
      path: '/client-relationships/:clientRelationshipId',
      summary: 'AM-2: one client relationship (both sides)',
      tags,
      auth: true,
      params: RelationshipPath,
      responses: { 200: { description: 'The relationship', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: onRelationship('viewClientRelationship', 'Only both sides of the relationship see it.'),
      handler: async ({ params }) => ok(await run(() => relationships.view(params.clientRelationshipId))),
    }),
    route({
      method: 'post',
      path: '/client-relationships/:clientRelationshipId/approve',
      summary: "AM-2: the client organization's org admin approves; it runs from now for its duration",
      tags,
      auth: true,
      params: RelationshipPath,
      responses: { 200: { description: 'Approved', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'not-ready'],
      authorize: onRelationship(
        'approveClientRelationship',
        "Only the client organization's org admins approve, while it waits.",
      ),
      handler: async ({ actor, params }) =>
        ok(await run(() => relationships.approve(actor.userId, params.clientRelationshipId))),
    }),
    route({
      method: 'post',
      path: '/client-relationships/:clientRelationshipId/decline',
      summary: "AM-2: the client organization's org admin declines, with a reason",
      tags,
      auth: true,
      params: RelationshipPath,
      body: DeclineClientRelationshipV1,
      responses: { 200: { description: 'Declined', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unsupported-media-type', 'not-ready'],
      authorize: onRelationship(
        'declineClientRelationship',
        "Only the client organization's org admins decline, while it waits.",
      ),
      handler: async ({ actor, params, body }) =>
        ok(await run(() => relationships.decline(actor.userId, params.clientRelationshipId, body.reason))),
    }),
    route({
      method: 'post',
      path: '/client-relationships/:clientRelationshipId/terminate',
      summary: 'AM-2, AM-7: either side ends it at once; every grant delegated under it is revoked',
      tags,
      auth: true,
      params: RelationshipPath,
      body: TerminateClientRelationshipV1,
      responses: { 200: { description: 'Terminated', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unsupported-media-type', 'not-ready'],
      authorize: onRelationship(
        'terminateClientRelationship',
        "Only the client organization's org admins or the firm's Account Owner end it, while it is open.",
      ),
      handler: async ({ actor, params, body }) =>
        ok(await run(() => relationships.terminate(actor.userId, params.clientRelationshipId, body.reason))),
    }),
    route({
      method: 'post',
      path: '/client-relationships/:clientRelationshipId/extend',
      summary:
        "AM-2: the client organization's org admin moves an active relationship's end date later (at most two " +
        'years ahead); the notices before it start again and both sides are told',
      tags,
      auth: true,
      params: RelationshipPath,
      body: ExtendClientRelationshipV1,
      responses: { 200: { description: 'Extended', schema: ClientRelationshipV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'unprocessable', 'unsupported-media-type', 'not-ready'],
      authorize: onRelationship(
        'extendClientRelationship',
        "Only the client organization's org admins extend it, while it is active.",
      ),
      // 409 for a date not after the current end; 422 past two years by the workflow's clock (the body
      // passed the same check by the API's, a moment earlier).
      handler: async ({ actor, params, body }) =>
        ok(
          await run(() => relationships.extend(actor.userId, params.clientRelationshipId, body.expiresAt), {
            [WorkflowRefusal.invalid]: 'unprocessable',
          }),
        ),
    }),
  ];
}
