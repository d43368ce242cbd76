// Every workflow the worker runs. Workflow code is deterministic: no I/O, no clocks, no randomness
// except through Temporal's APIs; everything else is an activity.
export { thirdPartyAccess } from './third-party-access/workflow';
export { invitation } from './invitation/workflow';
export { offboarding } from './offboarding/workflow';
export { clientRelationship } from './client-relationship/workflow';
export { accessReview } from './access-review/workflow';
export { accessModelChange } from './access-model-change/workflow';
export { duplicateEmailFix } from './duplicate-email-fix/workflow';
export { accountStatus } from './account-status/workflow';
export { retention } from './retention/workflow';
