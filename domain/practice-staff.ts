// Practice Staff powers by practice role (PS-1, PS-3). One place, asked by every Practice Staff endpoint.
import type { PracticeRole } from '@prisma/client';

/** PS-1: only Account Owners, Account Managers and User Managers open Practice Staff. */
export function opensPracticeStaff(role: PracticeRole | null): boolean {
  return role === 'ACCOUNT_OWNER' || role === 'ACCOUNT_MANAGER' || role === 'USER_MANAGER';
}

/** PS-3: only the Account Owner changes roles or removes users (and so offers a role above staff). */
export function changesPracticeRoles(role: PracticeRole | null): boolean {
  return role === 'ACCOUNT_OWNER';
}
