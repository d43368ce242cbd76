// Variables more than one part of the configuration reads (platform/config.ts and the fragments beside
// their code). A fragment's refinement sees only its own variables, so a rule that depends on one of
// these reads it again, with this one definition.
import { z } from 'zod';

/** Unset means production: development values need NODE_ENV=development or test, said explicitly. */
export const NodeEnv = z.enum(['development', 'test', 'production']).default('production');

/** NODE_ENV as a fragment reads it for its rules: a wrong value is the base schema's one error, not two. */
export const NodeEnvForRules = NodeEnv.catch('production');

export const KafkaReplicationFactor = z.coerce.number().int().min(1).default(1);
