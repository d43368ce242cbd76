import { z } from 'zod';

export const OrgRoleValue = z.enum(['ORG_ADMIN', 'PRODUCT_ADMIN', 'MEMBER']).meta({ id: 'OrgRole' });
export const PracticeRoleValue = z
  .enum(['ACCOUNT_OWNER', 'ACCOUNT_MANAGER', 'USER_MANAGER', 'STAFF'])
  .meta({ id: 'PracticeRole' });
export const PortalRoleValue = z.enum(['OWNER', 'ADMIN']).meta({ id: 'PortalRole' });
