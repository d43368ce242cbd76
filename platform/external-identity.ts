// An external OpenID Connect provider whose tokens the API accepts besides its own.
import { z } from 'zod';

export const ExternalIdentityEnv = z.object({});

export type ExternalIdentitySettings = z.infer<typeof ExternalIdentityEnv>;
