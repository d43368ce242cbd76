// A use case's refusal, in the domain's words: what kind of "no" it is, and why. Every area's use
// cases throw it; the API answers it as the matching problem (api/workflow-command.ts), a consumer
// as a permanent failure.
export type RefusalKind =
  'not-found' | 'conflict' | 'unprocessable' | 'forbidden' | 'seats-full' | 'partner-in-control' | 'duplicate-email';

export class UseCaseRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
