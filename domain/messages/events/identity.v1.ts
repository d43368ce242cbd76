import { z } from 'zod';
import { UserId } from '../values/identifiers';

/** A user changed their profile. Names the changed fields only: the values are personal data. */
export const UserProfileUpdatedV1 = z
  .strictObject({ userId: UserId, changedFields: z.array(z.enum(['displayName', 'firmName'])).min(1) })
  .meta({ id: 'UserProfileUpdatedV1' });
