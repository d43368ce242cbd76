// Who may manage (list, resend, revoke) an invitation: decided per kind from the database.
//   business partner:    the employee whose partner list it is on (BP-1: each has their own list);
//   portal user:         a portal admin or owner (PP-1);
//   practice staff:      an Account Owner, Account Manager or User Manager of the firm (PS-1);
//   organization access: the same, of the firm that offered the access (PS-4).
import type { InvitationKind, Prisma } from '@prisma/client';
import type { Database } from '../platform/database';
import { practiceRoleOf, type Actor } from './actor';
import { opensPracticeStaff } from './practice-staff';

export async function mayManageInvitations(db: Database, actor: Actor, kind: InvitationKind, scopeId: string, offer: Prisma.JsonValue = {}): Promise<boolean> {
  const opener = (firmId: string | undefined) => opensPracticeStaff(practiceRoleOf(actor, firmId));
  switch (kind) {
    case 'BUSINESS_PARTNER': {
      const company = await db.businessPartnerCompany.findUnique({ where: { id: scopeId }, select: { ownerUserId: true } });
      return company?.ownerUserId === actor.userId;
    }
    case 'PORTAL_USER':
      return actor.portalRole !== null;
    case 'PRACTICE_STAFF':
      return opener(scopeId);
    case 'ORGANIZATION_ACCESS':
      return opener((offer as { partnerFirmId?: string } | null)?.partnerFirmId);
  }
}
