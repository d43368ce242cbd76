// The stable types of permanent failures (issue 12), shared by activities (which raise them,
// activities/permanent.ts) and workflows (which park or end on them, workflows/shared.ts). No imports:
// the workflow bundle reads this file too.

/** Failure types any activity may raise; an activity's own business refusals keep their own types. */
export const PermanentFailure = {
  /** A row the step needs does not exist (deleted, or never there): retrying reads the same nothing. */
  missingRow: 'MissingRow',
  /** The step's data breaks a rule (a schema, a foreign key, a use case's refusal). */
  rejectedInput: 'RejectedInput',
  /** SMTP refused the email for good (5xx, a refused recipient): activities/notifications.ts. */
  emailRefused: 'PermanentEmailFailure',
} as const;
