// The life of every invitation over HTTP, whatever its kind: the invitee opens the emailed link,
// accepts (choosing a password if they have no account) or declines; the manager lists, resends
// (renewing an expired one), and revokes, also by email. The workflow's Update validators decide;
// the routes check the link first so each answer says what to do next.
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { InvitationLinks, LinkRefusal, loadInvitation, type InvitationRow } from '../../domain/invitation-links';

export { loadInvitation };
import {
  InvitationId,
  InvitationKind,
  InvitationState,
  InvitationToken,
} from '../../domain/messages/values/invitation';
import {
  AcceptInvitationV1,
  RejectInvitationV1,
  RevokeInvitationsByEmailV1,
} from '../../domain/messages/commands/invitation.v1';
import { InvitationLinkV1, InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import { InvitationRefusal, type InvitationView } from '../../workflows/invitation/messages';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { optionalActor, type TokenSettings } from '../identity';
import { route, type Check } from '../routes';
import { Problem } from '../problem';
import { workflowCommand } from '../workflow-command';
import { clientOf, type AbuseLimits } from '../../domain/abuse-limits';

const IdPath = z.strictObject({ invitationId: InvitationId });
const TokenQuery = z.strictObject({ token: InvitationToken });
const ListQuery = z.strictObject({ kind: InvitationKind, scopeId: z.uuid(), state: InvitationState.optional() });
const InvitationListV1 = z.object({ items: z.array(InvitationV1) }).meta({ id: 'InvitationListV1' });
const AcceptedV1 = z
  .object({ invitation: InvitationV1, userId: z.uuid(), next: z.string() })
  .meta({ id: 'InvitationAcceptedV1' });

type Row = InvitationRow;

export function toInvitationV1(r: Row): InvitationV1 {
  return {
    invitationId: r.id,
    kind: r.kind,
    state: r.state,
    email: r.email,
    firstName: r.firstName,
    lastName: r.lastName,
    scopeId: r.scopeId,
    reason: r.reason,
    expiresAt: r.state === 'PENDING' ? r.expiresAt.toISOString() : null,
    firstSentAt: r.firstSentAt?.toISOString() ?? null,
    lastSentAt: r.lastSentAt?.toISOString() ?? null,
    sendCount: r.sendCount,
    sends: [...r.sends]
      .sort((a, b) => a.number - b.number)
      .map((s) => ({ number: s.number, kind: s.kind, sentAt: s.sentAt.toISOString() })),
    acceptedUserId: r.acceptedUserId,
  };
}

/** A workflow's refusal becomes the matching problem (with Retry-After for the rate limit). */
export const invitationCommand = <T>(run: () => Promise<T>) =>
  workflowCommand(run, {
    subject: 'the invitation',
    // The run is over: closed, or expired past its renewal window.
    notFound: new Problem('invitation-closed', 'This invitation is no longer open. Invite the person again.'),
    refusals: {
      [InvitationRefusal.forbidden]: 'forbidden',
      [InvitationRefusal.conflict]: 'conflict',
      [InvitationRefusal.rateLimited]: 'rate-limited',
      [InvitationRefusal.linkSuperseded]: 'link-superseded',
      [InvitationRefusal.expired]: 'invitation-expired',
      [InvitationRefusal.closed]: 'invitation-closed',
      [InvitationRefusal.needsPassword]: 'unprocessable',
      [InvitationRefusal.grantWithdrawn]: 'conflict',
    },
  });

/** A link's refusal as the API answers it; the messages name the API's next call. */
export function linkProblem(err: unknown): unknown {
  if (!(err instanceof LinkRefusal)) return err;
  const state = err.state ? { state: err.state } : {};
  switch (err.kind) {
    case 'unknown-link':
      return new Problem('not-found', err.message);
    case 'expired':
      return new Problem(
        'invitation-expired',
        err.message.replace('a password reset', 'a password reset (POST /password-resets)'),
        state,
      );
    case 'closed':
      return new Problem('invitation-closed', err.message, state);
    case 'superseded':
      return new Problem('link-superseded', err.message);
    case 'wrong-account':
      return new Problem('forbidden', err.message);
    case 'sign-in-first':
      return new Problem(
        'unauthenticated',
        'You already have an account with this email: sign in (POST /sessions), then accept with your bearer token.',
      );
    case 'password-needed':
    case 'password-not-needed':
      return new Problem('validation-failed', err.message, {
        errors: [
          {
            pointer: '/password',
            message:
              err.kind === 'password-needed'
                ? 'required: you have no account yet'
                : 'not needed: you have an account',
            in: 'body',
          },
        ],
      });
  }
}

/** Runs a link use case, answering its refusals (and the workflow's) as problems. */
const viaLink = <T>(run: () => Promise<T>) =>
  invitationCommand(async () => {
    try {
      return await run();
    } catch (err) {
      throw linkProblem(err);
    }
  });

export function invitationRoutes(
  db: Database,
  invitations: InvitationsClient,
  tokens: TokenSettings,
  abuseLimits: AbuseLimits,
) {
  const links = new InvitationLinks({ db, invitations, abuseLimits });
  const load = (id: string) => loadInvitation(db, id);
  const manages =
    (action: 'viewInvitation' | 'resendInvitation' | 'revokeInvitation') =>
    ({ params }: { params: { invitationId: string } }): Check => ({
      action,
      resource: { type: 'Invitation', id: params.invitationId },
      denial: 'Only whoever manages this list of invitations may do this.',
    });
  /** Resend and revoke need an open invitation; a closed one is answered here, without a round trip. */
  const open = async (id: string, what: string): Promise<Row> => {
    const row = (await load(id))!;
    if (row.state !== 'PENDING' && row.state !== 'EXPIRED')
      throw new Problem('conflict', `Cannot ${what}: the invitation is ${row.state}.`, { state: row.state });
    return row;
  };
  const reply = async (view: InvitationView) => ({
    status: 200,
    body: toInvitationV1((await load(view.invitationId))!),
  });
  const tags = ['invitations'];

  return [
    route({
      method: 'get',
      path: '/invitations/:invitationId/link',
      summary: 'What the emailed link shows the invitee (no sign-in: the link is the secret)',
      tags,
      auth: false,
      params: IdPath,
      query: TokenQuery,
      responses: { 200: { description: 'The open invitation', schema: InvitationLinkV1 } },
      problems: ['not-found', 'invitation-expired', 'invitation-closed', 'link-superseded', 'rate-limited'],
      authorize: { anyone: 'the link is the secret' },
      handler: async ({ params, query, req }) => {
        const opened = await viaLink(() => links.open(params.invitationId, query.token, clientOf(req)));
        const { row } = opened;
        return {
          status: 200,
          body: {
            invitationId: row.id,
            kind: row.kind,
            state: row.state,
            firstName: row.firstName,
            invitedTo: opened.invitedTo,
            expiresAt: row.expiresAt.toISOString(),
            accepting: opened.accepting,
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/invitations/:invitationId/accept',
      summary: 'Accept with the link (PP-3: choose a password if you have no account; otherwise sign in first)',
      tags,
      auth: false,
      params: IdPath,
      body: AcceptInvitationV1,
      responses: { 200: { description: 'Accepted; what the invitation offered is granted', schema: AcceptedV1 } },
      problems: [
        ...(['validation-failed', 'unauthenticated', 'forbidden', 'not-found', 'invitation-expired'] as const),
        ...(['invitation-closed', 'link-superseded', 'unprocessable', 'rate-limited', 'not-ready'] as const),
      ],
      authorize: { anyone: 'the link is the secret; a signed-in caller must be the invitee' },
      handler: async ({ params, body, req }) => {
        const signedIn = await optionalActor(db, tokens, req.headers.authorization);
        const accepted = await viaLink(() =>
          links.accept(params.invitationId, body.token, body.password, signedIn, clientOf(req)),
        );
        const next = accepted.createdAccount
          ? 'Your account is ready: sign in with your email and the password you chose (POST /sessions).'
          : 'Done: it is on your account now.';
        return { status: 200, body: { invitation: toInvitationV1(accepted.row), userId: accepted.userId, next } };
      },
    }),
    route({
      method: 'post',
      path: '/invitations/:invitationId/reject',
      summary: 'Decline with the link',
      tags,
      auth: false,
      params: IdPath,
      body: RejectInvitationV1,
      responses: {
        200: { description: 'Declined', schema: InvitationLinkV1.pick({ invitationId: true, state: true }) },
      },
      problems: [
        ...(['not-found', 'invitation-expired', 'invitation-closed'] as const),
        ...(['link-superseded', 'rate-limited', 'not-ready'] as const),
      ],
      authorize: { anyone: 'the link is the secret' },
      handler: async ({ params, body, req }) => {
        const view = await viaLink(() => links.decline(params.invitationId, body.token, clientOf(req)));
        return { status: 200, body: { invitationId: view.invitationId, state: view.state } };
      },
    }),
    route({
      method: 'get',
      path: '/invitations',
      summary: 'BP-4, PS-2: the invitations of one list (pending, expired, answered), with their send history',
      tags,
      auth: true,
      query: ListQuery,
      responses: { 200: { description: 'Invitations, newest first', schema: InvitationListV1 } },
      problems: ['forbidden'],
      authorize: ({ query }) => ({
        action: 'listInvitations',
        resource: { type: 'InvitationList', kind: query.kind, scopeId: query.scopeId },
        denial: 'Only whoever manages this list of invitations may see it.',
      }),
      handler: async ({ query }) => {
        const rows = await db.invitation.findMany({
          where: { kind: query.kind, scopeId: query.scopeId, ...(query.state ? { state: query.state } : {}) },
          include: { sends: true },
          orderBy: { createdAt: 'desc' },
        });
        return { status: 200, body: { items: rows.map(toInvitationV1) } };
      },
    }),
    route({
      method: 'get',
      path: '/invitations/:invitationId',
      summary: 'One invitation with its send history (for whoever manages it)',
      tags,
      auth: true,
      params: IdPath,
      responses: { 200: { description: 'The invitation', schema: InvitationV1 } },
      problems: ['forbidden', 'not-found'],
      authorize: manages('viewInvitation'),
      handler: async ({ params }) => ({ status: 200, body: toInvitationV1((await load(params.invitationId))!) }),
    }),
    route({
      method: 'post',
      path: '/invitations/:invitationId/resend',
      summary:
        'BP-4, PS-2: send again with a new link (the old one dies at once); ' +
        'renews an expired invitation in one step. Rate-limited.',
      tags,
      auth: true,
      params: IdPath,
      responses: { 200: { description: 'Sent again', schema: InvitationV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'rate-limited', 'not-ready'],
      authorize: manages('resendInvitation'),
      handler: async ({ actor, params }) => {
        const row = await open(params.invitationId, 'resend');
        return reply(
          await invitationCommand(() => invitations.resend(row.workflowId, row.id, { userId: actor.userId })),
        );
      },
    }),
    route({
      method: 'post',
      path: '/invitations/:invitationId/revoke',
      summary: 'BP-4: cancel an invitation; its link stops working',
      tags,
      auth: true,
      params: IdPath,
      responses: { 200: { description: 'Revoked', schema: InvitationV1 } },
      problems: ['forbidden', 'not-found', 'conflict', 'not-ready'],
      authorize: manages('revokeInvitation'),
      handler: async ({ actor, params }) => {
        const row = await open(params.invitationId, 'revoke');
        return reply(
          await invitationCommand(() => invitations.revoke(row.workflowId, row.id, { userId: actor.userId })),
        );
      },
    }),
    route({
      method: 'post',
      path: '/invitations/revoke-by-email',
      summary: 'BP-4: revoke every open invitation to an email address that you manage',
      tags,
      auth: true,
      body: RevokeInvitationsByEmailV1,
      responses: { 200: { description: 'What was revoked', schema: InvitationListV1 } },
      problems: ['not-found', 'not-ready'],
      // Each invitation to that email is checked with the decision point; the others stay invisible.
      authorize: { anyone: 'filters to the invitations the caller manages' },
      handler: async ({ actor, body, allowed }) => {
        const unanswered = await db.invitation.findMany({
          where: {
            email: body.email,
            state: { in: ['PENDING', 'EXPIRED'] },
            ...(body.kind ? { kind: body.kind } : {}),
          },
          include: { sends: true },
        });
        const mine: Row[] = [];
        for (const row of unanswered) {
          if (await allowed({ action: 'revokeInvitation', resource: { type: 'Invitation', id: row.id } }))
            mine.push(row);
        }
        // Another list's invitations to the same person are not the caller's business: not found either way.
        if (mine.length === 0) throw new Problem('not-found', 'You have no open invitation to this email address.');
        for (const row of mine)
          await invitationCommand(() => invitations.revoke(row.workflowId, row.id, { userId: actor.userId }));
        const after = await db.invitation.findMany({
          where: { id: { in: mine.map((r) => r.id) } },
          include: { sends: true },
        });
        return { status: 200, body: { items: after.map(toInvitationV1) } };
      },
    }),
  ];
}
