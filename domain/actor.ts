// Who is acting, and with which roles. Roles are read from the database for every request; the
// token carries only the user id.
import type { OrgRole, PracticeRole, PortalRole, UserStatus } from '@prisma/client';
import type { Database } from '../platform/database';

export interface Actor {
  userId: string;
  /** Used only to match invitations to their invitee; never logged. */
  email: string;
  status: UserStatus;
  memberships: ReadonlyArray<{ organizationId: string; role: OrgRole }>;
  practiceRoles: ReadonlyArray<{ partnerFirmId: string; role: PracticeRole }>;
  isSupportAgent: boolean;
  portalRole: PortalRole | null;
  /** Issue 12: tokens and browser sessions from before this no longer count (null: none ended). */
  sessionsValidAfter: Date | null;
  /** When the token's holder last signed in with their password, if the token says (PA-5). */
  authTime?: Date;
  /** PA-5: switched into this customer account (the token is scoped to it), under this switch. */
  switchedInto?: string;
  switchId?: string;
}

export async function loadActor(db: Database, userId: string): Promise<Actor | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      status: true,
      sessionsValidAfter: true,
      memberships: { select: { organizationId: true, role: true } },
      practiceRoles: { select: { partnerFirmId: true, role: true } },
      supportAgent: { select: { userId: true } },
      portalAdmin: { select: { role: true } },
    },
  });
  if (!user) return null;
  return {
    userId: user.id,
    email: user.email,
    status: user.status,
    memberships: user.memberships,
    practiceRoles: user.practiceRoles,
    isSupportAgent: user.supportAgent !== null,
    portalRole: user.portalAdmin?.role ?? null,
    sessionsValidAfter: user.sessionsValidAfter,
  };
}

export function orgRoleOf(actor: Actor, organizationId: string): OrgRole | null {
  return actor.memberships.find((m) => m.organizationId === organizationId)?.role ?? null;
}

export function practiceRoleOf(actor: Actor, partnerFirmId: string | undefined): PracticeRole | null {
  return actor.practiceRoles.find((r) => r.partnerFirmId === partnerFirmId)?.role ?? null;
}
