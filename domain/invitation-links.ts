// What the invitee does with the link an invitation email carries, whatever its kind: open it, accept
// (choosing a password if they have no account, or as the signed-in invitee), or decline. One module,
// called alike by the API's link routes and the hosted invitation pages. The link is the credential:
// these use cases check it before any command, so every answer says what to do next; the workflow's
// Update validators then decide.
import type { Invitation, InvitationSend, InvitationState } from '@prisma/client';
import type { Database } from '../platform/database';
import { hashPassword, hashToken, tokenMatches } from '../platform/secrets';
import { describeInvitationScope } from '../activities/invitations';
import type { InvitationsClient } from '../workflows/invitation/client';
import { OfferByKind } from './messages/values/invitation-offer';
import type { AbuseLimits, Client } from './abuse-limits';

export type InvitationRow = Invitation & { sends: InvitationSend[] };

/** Why a link does not open an invitation that can be answered; each has its own next step. */
export type LinkRefusalKind =
  /** Not a link we sent (mistyped, cut short, or another invitation's). */
  | 'unknown-link'
  /** The invitation expired: a renewal (or, for the portal, a password reset) sends a fresh link. */
  | 'expired'
  /** Answered or withdrawn: `state` says which. */
  | 'closed'
  /** A newer email replaced this link. */
  | 'superseded'
  /** The signed-in account is not the invitee's. */
  | 'wrong-account'
  /** The invitee has an account: sign in first. */
  | 'sign-in-first'
  /** No account yet: a password is needed to create one (or, with an account, none is wanted). */
  | 'password-needed'
  | 'password-not-needed';

export class LinkRefusal extends Error {
  constructor(
    readonly kind: LinkRefusalKind,
    message: string,
    readonly state?: InvitationState,
  ) {
    super(message);
  }
}

const CLOSED: Partial<Record<InvitationState, string>> = {
  ACCEPTED:
    'This invitation was already accepted. Sign in instead; if you forgot your password, ask for a password reset.',
  REJECTED: 'This invitation was declined. Ask the person who invited you to send a new one.',
  REVOKED:
    'This invitation was revoked by the person who sent it. Ask them to invite you again if this is a mistake.',
};

/** Is this the link of the newest email, an older one, or nothing we sent? Constant time per hash. */
function linkOf(row: InvitationRow, token: string): 'current' | 'old' | 'unknown' {
  if (row.tokenHash && tokenMatches(token, row.tokenHash)) return 'current';
  const old = row.sends.map((send) => tokenMatches(token, send.tokenHash)).some(Boolean);
  return old ? 'old' : 'unknown';
}

/** An invitation with its send history, as every view of it needs. */
export const loadInvitation = (db: Database, id: string) =>
  db.invitation.findUnique({ where: { id }, include: { sends: true } });

/** What the link shows the invitee before they answer: who invited them, to what, as what, until when. */
export interface OpenedInvitation {
  row: InvitationRow;
  invitedTo: string;
  invitedBy: string | null;
  /** The role offered, when the kind offers one. */
  role: string | null;
  accepting: 'choose-password' | 'sign-in-first';
}

export interface SignedInInvitee {
  userId: string;
  email: string;
}

export class InvitationLinks {
  constructor(private readonly deps: { db: Database; invitations: InvitationsClient; abuseLimits: AbuseLimits }) {}

  /** The invitation a link opens, or why it does not (checked in this order, so each says the next step). */
  async check(invitationId: string, token: string): Promise<InvitationRow> {
    const row = await loadInvitation(this.deps.db, invitationId);
    const link = row ? linkOf(row, token) : 'unknown';
    if (!row || link === 'unknown') {
      throw new LinkRefusal(
        'unknown-link',
        'No such invitation link. Check that you copied the whole link from the email.',
      );
    }
    if (row.state === 'EXPIRED') {
      throw new LinkRefusal(
        'expired',
        'This invitation has expired. Ask the person who invited you to renew it, ' +
          'or ask for a password reset if you were invited to the partner portal; the new email carries a fresh link.',
        row.state,
      );
    }
    if (row.state !== 'PENDING')
      throw new LinkRefusal('closed', CLOSED[row.state] ?? 'This invitation is closed.', row.state);
    if (link === 'old') {
      throw new LinkRefusal(
        'superseded',
        'This link was replaced by a newer invitation email. Use the link in the most recent email.',
      );
    }
    return row;
  }

  async open(invitationId: string, token: string, client: Client): Promise<OpenedInvitation> {
    const { db } = this.deps;
    await this.deps.abuseLimits.admit('link-check', client);
    const row = await this.check(invitationId, token);
    const [account, scope, inviter] = await Promise.all([
      db.user.findUnique({ where: { email: row.email }, select: { id: true } }),
      describeInvitationScope(db, row),
      row.invitedById ? db.user.findUnique({ where: { id: row.invitedById }, select: { displayName: true } }) : null,
    ]);
    const offer = OfferByKind[row.kind].safeParse(row.offer);
    const role = offer.success && 'role' in offer.data ? String(offer.data.role) : null;
    return {
      row,
      invitedTo: scope.invitedTo,
      invitedBy: inviter?.displayName ?? null,
      role,
      accepting: account ? 'sign-in-first' : 'choose-password',
    };
  }

  /**
   * Accepts: with a new password when the invitee has no account, or as the signed-in invitee. The
   * password never enters workflow history: its hash waits in PendingCredential for the accept to commit.
   */
  async accept(
    invitationId: string,
    token: string,
    password: string | undefined,
    signedIn: SignedInInvitee | null,
    client: Client,
  ) {
    const { db, invitations } = this.deps;
    await this.deps.abuseLimits.admit('invitation-accept', client);
    const row = await this.check(invitationId, token);
    if (signedIn && signedIn.email.toLowerCase() !== row.email.toLowerCase()) {
      throw new LinkRefusal(
        'wrong-account',
        'This invitation was sent to another email address. Sign in as that account, or accept without signing in.',
      );
    }
    const account = await db.user.findUnique({ where: { email: row.email }, select: { id: true } });
    if (account && !signedIn) {
      throw new LinkRefusal('sign-in-first', 'You already have an account with this email: sign in, then accept.');
    }
    if (account && password)
      throw new LinkRefusal('password-not-needed', 'You already have an account: accept without a password.');
    if (!account && !password) {
      throw new LinkRefusal('password-needed', 'Choose a password (at least 12 characters) to create your account.');
    }
    if (password) {
      const passwordHash = await hashPassword(password);
      await db.pendingCredential.upsert({
        where: { invitationId: row.id },
        create: { invitationId: row.id, passwordHash },
        update: { passwordHash },
      });
    }
    try {
      await invitations.accept(row.workflowId, row.id, hashToken(token), signedIn?.userId ?? null);
    } catch (err) {
      await db.pendingCredential.deleteMany({ where: { invitationId: row.id } });
      throw err;
    }
    const after = (await loadInvitation(db, row.id))!;
    return { row: after, userId: after.acceptedUserId!, createdAccount: !account };
  }

  async decline(invitationId: string, token: string, client: Client) {
    await this.deps.abuseLimits.admit('link-check', client);
    const row = await this.check(invitationId, token);
    return this.deps.invitations.reject(row.workflowId, row.id, hashToken(token));
  }
}
