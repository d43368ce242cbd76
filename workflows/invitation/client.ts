// How the API starts and drives invitation workflows. (Not part of the workflow bundle.)
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { withCommandDeadline } from '../../platform/temporal';
import { InvitationKindKey, ProcessStateKey } from '../../domain/search-attributes';
import { relationshipIdFor } from '../../domain/third-party-access';
import { timingsFor, type InvitationTimings } from '../../domain/invitations';
import type { InvitationKind } from '../../domain/messages/values/invitation';
import type { InvitationOffer } from '../../domain/messages/values/invitation-offer';
import type { invitation } from './workflow';
import {
  acceptUpdate,
  invitationQuery,
  invitationWorkflowId,
  openUpdate,
  rejectUpdate,
  resendUpdate,
  revokeUpdate,
  type InvitationActor,
  type InvitationInput,
  type InvitationView,
} from './messages';

export interface InvitationsClientOptions {
  temporal: Client;
  taskQueue: string;
  /** Keys the HMAC that turns the invitee's email into part of the workflow id (no PII in ids). */
  idKey: string;
  /** Per-kind overrides (tests use short expiries). */
  timings?: Partial<Record<InvitationKind, Partial<InvitationTimings>>>;
  commandTimeoutMs?: number;
}

export interface NewInvitation {
  kind: InvitationKind;
  scopeId: string;
  invitee: { email: string; firstName: string; lastName: string };
  invitedByUserId: string | null;
  /** What accepting grants, in the kind's own shape (domain/messages/values/invitation-offer.ts). */
  offer?: InvitationOffer;
  details?: Record<string, string>;
}

export class InvitationsClient {
  constructor(private readonly o: InvitationsClientOptions) {}

  static fromConfig(
    temporal: Client,
    config: { TEMPORAL_TASK_QUEUE: string; RELATIONSHIP_ID_KEY: string },
  ): InvitationsClient {
    return new InvitationsClient({
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      idKey: config.RELATIONSHIP_ID_KEY,
    });
  }

  private within<T>(fn: () => Promise<T>): Promise<T> {
    return withCommandDeadline(this.o.temporal, fn, this.o.commandTimeoutMs);
  }

  /**
   * Opens an invitation and answers once its first email is out (or it was refused). The workflow id
   * is fixed by kind, list and email, so inviting the same person twice joins the open invitation.
   */
  async open(n: NewInvitation): Promise<{ view: InvitationView; workflowId: string }> {
    // The same keyed HMAC as third-party relationship ids: stable, free of personal data.
    const workflowId = invitationWorkflowId(n.kind, n.scopeId, relationshipIdFor(this.o.idKey, n.invitee.email));
    const input: InvitationInput = {
      kind: n.kind,
      scopeId: n.scopeId,
      invitee: n.invitee,
      invitedByUserId: n.invitedByUserId,
      // The workflow carries it as plain strings; every reader parses it back with its kind's schema.
      offer: Object.fromEntries(
        Object.entries(n.offer ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      details: n.details ?? {},
      timings: timingsFor(n.kind, this.o.timings?.[n.kind]),
    };
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof invitation>('invitation', {
      workflowId,
      taskQueue: this.o.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: InvitationKindKey, value: n.kind },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    });
    const view = await this.within(() =>
      this.o.temporal.workflow.executeUpdateWithStart(openUpdate, { args: [], startWorkflowOperation }),
    );
    return { view, workflowId };
  }

  private handle(workflowId: string, runId: string) {
    // The invitation id is the first run's id: pinning it, a command never reaches a later invitation to the
    // same person.
    return this.o.temporal.workflow.getHandle<typeof invitation>(workflowId, undefined, {
      firstExecutionRunId: runId,
    });
  }

  view(workflowId: string, invitationId: string): Promise<InvitationView> {
    return this.handle(workflowId, invitationId).query(invitationQuery);
  }

  resend(workflowId: string, invitationId: string, actor: InvitationActor) {
    return this.within(() =>
      this.handle(workflowId, invitationId).executeUpdate(resendUpdate, { args: [{ actor }] }),
    );
  }

  revoke(workflowId: string, invitationId: string, actor: InvitationActor) {
    return this.within(() =>
      this.handle(workflowId, invitationId).executeUpdate(revokeUpdate, { args: [{ actor }] }),
    );
  }

  accept(workflowId: string, invitationId: string, tokenHash: string, userId: string | null) {
    return this.within(() =>
      this.handle(workflowId, invitationId).executeUpdate(acceptUpdate, { args: [{ tokenHash, userId }] }),
    );
  }

  reject(workflowId: string, invitationId: string, tokenHash: string) {
    return this.within(() =>
      this.handle(workflowId, invitationId).executeUpdate(rejectUpdate, { args: [{ tokenHash }] }),
    );
  }
}
