// PS-5: who may replace a leaving user. Asked by the API (an immediate, clear refusal) and by the
// workflow's first activity (the authority, in case something changed in between).
import type { Database } from '../platform/database';

export async function replacementProblem(
  db: Pick<Database, 'practiceStaffMember'>,
  partnerFirmId: string,
  leavingUserId: string,
  replacementUserId: string,
): Promise<string | null> {
  if (leavingUserId === replacementUserId)
    return 'The replacement must be someone else than the user who is leaving.';
  const [leaving, replacement] = await Promise.all([
    db.practiceStaffMember.findUnique({
      where: { userId_partnerFirmId: { userId: leavingUserId, partnerFirmId } },
      select: { role: true },
    }),
    db.practiceStaffMember.findUnique({
      where: { userId_partnerFirmId: { userId: replacementUserId, partnerFirmId } },
      select: { user: { select: { status: true } } },
    }),
  ]);
  if (!leaving) return 'The user who is leaving is not on this Practice Staff.';
  if (leaving.role === 'ACCOUNT_OWNER') return 'The Account Owner cannot be offboarded; hand the account over first.';
  if (!replacement) return 'The replacement must be an active member of the same Practice Staff.';
  if (replacement.user.status !== 'ACTIVE')
    return 'The replacement is deactivated; pick an active member of the Practice Staff.';
  return null;
}
