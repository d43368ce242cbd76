// How the API, the ticket intake and the CRM consumer start and drive third-party-access workflows.
// (Not part of the workflow bundle: only workflows/index.ts is bundled.)
import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { withCommandDeadline } from '../../platform/temporal';
import { OrganizationIdKey, ProcessStateKey, TicketIdKey } from '../../domain/search-attributes';
import { relationshipIdFor } from '../../domain/third-party-access';
import type { TpuOrigin } from '../../domain/messages/values/third-party-access';
import type { thirdPartyAccess } from './workflow';
import {
  accountRegisteredSignal,
  crmAccountOwnerSignal,
  joinUpdate,
  relationshipQuery,
  removeUpdate,
  reviewUpdate,
  setAccessUpdate,
  thirdPartyAccessWorkflowId,
  type CommandActor,
  type RelationshipView,
  type RemovedBy,
  type ThirdPartyAccessInput,
} from './messages';
import type {
  ReviewThirdPartyAccessV1,
  SetThirdPartyAccessV1,
} from '../../domain/messages/commands/request-third-party-access.v1';

export interface ThirdPartyAccessClientOptions {
  temporal: Client;
  taskQueue: string;
  /** The HMAC key for relationship ids. */
  idKey: string;
  accountWaitSeconds: number;
  /** How long a command waits for the workflow to answer before the caller is told (default 15 s). */
  commandTimeoutMs?: number;
}

export interface NewRequest {
  organizationId: string;
  thirdParty: { name: string; firmName: string; email: string };
  origin: TpuOrigin;
  requestedByUserId: string | null;
  ticketId: string | null;
}

export class ThirdPartyAccessClient {
  constructor(private readonly o: ThirdPartyAccessClientOptions) {}

  static fromConfig(
    temporal: Client,
    config: { TEMPORAL_TASK_QUEUE: string; RELATIONSHIP_ID_KEY: string; TPU_ACCOUNT_WAIT_SECONDS: number },
  ): ThirdPartyAccessClient {
    return new ThirdPartyAccessClient({
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      idKey: config.RELATIONSHIP_ID_KEY,
      accountWaitSeconds: config.TPU_ACCOUNT_WAIT_SECONDS,
    });
  }

  /** Commands wait for the workflow's answer; without a worker that would be forever. */
  private within<T>(fn: () => Promise<T>): Promise<T> {
    return withCommandDeadline(this.o.temporal, fn, this.o.commandTimeoutMs);
  }

  workflowIdFor(organizationId: string, email: string): { relationshipId: string; workflowId: string } {
    const relationshipId = relationshipIdFor(this.o.idKey, email);
    return { relationshipId, workflowId: thirdPartyAccessWorkflowId(organizationId, relationshipId) };
  }

  private startOperation(r: NewRequest) {
    const { relationshipId, workflowId } = this.workflowIdFor(r.organizationId, r.thirdParty.email);
    const input: ThirdPartyAccessInput = { ...r, relationshipId, accountWaitSeconds: this.o.accountWaitSeconds };
    return new WithStartWorkflowOperation<typeof thirdPartyAccess>('thirdPartyAccess', {
      workflowId,
      taskQueue: this.o.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: r.organizationId },
        { key: ProcessStateKey, value: 'STARTED' },
        ...(r.ticketId ? [{ key: TicketIdKey, value: r.ticketId }] : []),
      ],
    });
  }

  /** TPU-2: starts the relationship, or joins the running one for the same pair. */
  async request(r: NewRequest): Promise<{ workflowId: string; view: RelationshipView; joined: boolean }> {
    const startWorkflowOperation = this.startOperation(r);
    const result = await this.within(() =>
      this.o.temporal.workflow.executeUpdateWithStart(joinUpdate, {
        args: [{ requestedByUserId: r.requestedByUserId }],
        startWorkflowOperation,
      }),
    );
    const { requests, ...view } = result;
    return { workflowId: (await startWorkflowOperation.workflowHandle()).workflowId, view, joined: requests > 1 };
  }

  private handle(organizationId: string, relationshipId: string) {
    return this.o.temporal.workflow.getHandle<typeof thirdPartyAccess>(
      thirdPartyAccessWorkflowId(organizationId, relationshipId),
    );
  }

  view(organizationId: string, relationshipId: string): Promise<RelationshipView> {
    return this.handle(organizationId, relationshipId).query(relationshipQuery);
  }

  review(organizationId: string, relationshipId: string, actor: CommandActor, decision: ReviewThirdPartyAccessV1) {
    return this.within(() =>
      this.handle(organizationId, relationshipId).executeUpdate(reviewUpdate, { args: [{ actor, ...decision }] }),
    );
  }

  // Commands carry only who sends them: the caller has already decided that they may.
  setAccess(organizationId: string, relationshipId: string, actor: CommandActor, change: SetThirdPartyAccessV1) {
    const handle = this.handle(organizationId, relationshipId);
    return this.within(() => handle.executeUpdate(setAccessUpdate, { args: [{ actor, ...change }] }));
  }

  remove(organizationId: string, relationshipId: string, actor: CommandActor, removedBy: RemovedBy) {
    const handle = this.handle(organizationId, relationshipId);
    return this.within(() => handle.executeUpdate(removeUpdate, { args: [{ actor, removedBy }] }));
  }

  /** TPU-1: an account was created; a waiting relationship moves on at once. */
  async announceAccount(workflowId: string, userId: string): Promise<void> {
    await this.o.temporal.workflow.getHandle(workflowId).signal(accountRegisteredSignal, { userId });
  }

  /** TPU-5: the CRM says a partner is (or no longer is) the Account Owner. */
  async crmAccountOwner(r: NewRequest, isAccountOwner: boolean): Promise<void> {
    const { relationshipId } = this.workflowIdFor(r.organizationId, r.thirdParty.email);
    if (isAccountOwner) {
      const op = this.startOperation({ ...r, origin: 'CRM' });
      await this.o.temporal.workflow.signalWithStart<typeof thirdPartyAccess, [{ isAccountOwner: boolean }]>(
        'thirdPartyAccess',
        {
          workflowId: op.options.workflowId,
          taskQueue: this.o.taskQueue,
          args: op.options.args,
          typedSearchAttributes: op.options.typedSearchAttributes,
          signal: crmAccountOwnerSignal,
          signalArgs: [{ isAccountOwner }],
        },
      );
      return;
    }
    // Nothing to start for a partner who is not the Account Owner; tell a running relationship.
    try {
      await this.handle(r.organizationId, relationshipId).signal(crmAccountOwnerSignal, { isAccountOwner });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
