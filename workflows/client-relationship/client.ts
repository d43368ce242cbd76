// How the API and the worker start and drive client-relationship workflows (AM-2). (Not part of the
// workflow bundle.)
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { ClientRelationship } from '@prisma/client';
import { withCommandDeadline } from '../../platform/temporal';
import type { Database } from '../../platform/database';
import { OrganizationIdKey, ProcessStateKey } from '../../domain/search-attributes';
import type { clientRelationship } from './workflow';
import {
  approveUpdate,
  clientRelationshipWorkflowId,
  declineUpdate,
  extendUpdate,
  openUpdate,
  relationshipQuery,
  terminateUpdate,
  type ApproveCommand,
  type ClientRelationshipInput,
  type ClientRelationshipTimings,
  type ClientRelationshipView,
  type DeclineCommand,
  type ExtendCommand,
  type TerminateCommand,
} from './messages';

export interface ClientRelationshipsClientOptions {
  temporal: Client;
  taskQueue: string;
  commandTimeoutMs?: number;
  /** Overrides of the approval window, the notice days and the extension (tests use their own). */
  timings?: ClientRelationshipTimings;
}

/** A new relationship as the firm asks for it; its id is the caller's (a fresh uuid). */
export type ClientRelationshipRequest = Omit<
  ClientRelationshipInput,
  'timings' | 'continueAsNewAfterEvents' | 'carried'
>;

/** What adoption reads of a row that has no workflow yet. */
export type AdoptableRow = Pick<
  ClientRelationship,
  'partnerFirmId' | 'organizationId' | 'roleCeiling' | 'durationDays' | 'autoExtend' | 'requestedById'
>;

/** How many open rows adoption looks at together. */
const ADOPT_BATCH = 20;

export class ClientRelationshipsClient {
  constructor(private readonly o: ClientRelationshipsClientOptions) {}

  static fromConfig(temporal: Client, config: { TEMPORAL_TASK_QUEUE: string }): ClientRelationshipsClient {
    return new ClientRelationshipsClient({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }

  private within<T>(fn: () => Promise<T>): Promise<T> {
    return withCommandDeadline(this.o.temporal, fn, this.o.commandTimeoutMs);
  }

  private startOptions(input: ClientRelationshipRequest) {
    const args: [ClientRelationshipInput] = [{ ...input, ...(this.o.timings ? { timings: this.o.timings } : {}) }];
    return {
      workflowId: clientRelationshipWorkflowId(input.relationshipId),
      taskQueue: this.o.taskQueue,
      args,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: OrganizationIdKey, value: input.organizationId },
        { key: ProcessStateKey, value: 'STARTED' },
      ],
    };
  }

  /**
   * Asks for a relationship and answers once it waits for approval (or was refused: `refused` says
   * why). Asking again with the same id joins the running workflow.
   */
  request(input: ClientRelationshipRequest): Promise<ClientRelationshipView> {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof clientRelationship>(
      'clientRelationship',
      this.startOptions(input),
    );
    return this.within(() =>
      this.o.temporal.workflow.executeUpdateWithStart(openUpdate, { args: [], startWorkflowOperation }),
    );
  }

  private handle(relationshipId: string) {
    return this.o.temporal.workflow.getHandle<typeof clientRelationship>(
      clientRelationshipWorkflowId(relationshipId),
    );
  }

  view(relationshipId: string): Promise<ClientRelationshipView> {
    return this.handle(relationshipId).query(relationshipQuery);
  }

  approve(relationshipId: string, cmd: ApproveCommand): Promise<ClientRelationshipView> {
    return this.within(() => this.handle(relationshipId).executeUpdate(approveUpdate, { args: [cmd] }));
  }

  decline(relationshipId: string, cmd: DeclineCommand): Promise<ClientRelationshipView> {
    return this.within(() => this.handle(relationshipId).executeUpdate(declineUpdate, { args: [cmd] }));
  }

  terminate(relationshipId: string, cmd: TerminateCommand): Promise<ClientRelationshipView> {
    return this.within(() => this.handle(relationshipId).executeUpdate(terminateUpdate, { args: [cmd] }));
  }

  /** The organization's org admin moves the end date of an active relationship later. */
  extend(relationshipId: string, cmd: ExtendCommand): Promise<ClientRelationshipView> {
    return this.within(() => this.handle(relationshipId).executeUpdate(extendUpdate, { args: [cmd] }));
  }

  /**
   * Starts the workflow of a row that has none (migrated, seeded); it continues from the row's state.
   * Answers whether it started one: a running workflow is left alone, and an id whose run already
   * closed is skipped (its row is the closed run's business, never a second run's).
   */
  async adopt(relationshipId: string, row: AdoptableRow): Promise<boolean> {
    const existing = await this.handle(relationshipId)
      .describe()
      .catch((err) => {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      });
    if (existing) return false;
    const input: ClientRelationshipRequest = {
      relationshipId,
      partnerFirmId: row.partnerFirmId,
      organizationId: row.organizationId,
      roleCeiling: row.roleCeiling,
      durationDays: row.durationDays,
      autoExtend: row.autoExtend,
      requestedByUserId: row.requestedById,
    };
    try {
      // Between the look and the start another worker may adopt it (joined) or it may close (skipped).
      await this.o.temporal.workflow.start<typeof clientRelationship>('clientRelationship', {
        ...this.startOptions(input),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  /**
   * AM-2: every open row (waiting for approval or active) gets its workflow, which holds its timers.
   * Idempotent: run it at every worker start. `only` narrows it (tests share one database).
   */
  async adoptAll(db: Database, only: { partnerFirmId?: string } = {}): Promise<number> {
    const rows = await db.clientRelationship.findMany({
      where: { state: { in: ['PENDING_APPROVAL', 'ACTIVE'] }, ...only },
      orderBy: { createdAt: 'asc' },
    });
    let adopted = 0;
    for (let i = 0; i < rows.length; i += ADOPT_BATCH) {
      const started = await Promise.all(rows.slice(i, i + ADOPT_BATCH).map((r) => this.adopt(r.id, r)));
      adopted += started.filter(Boolean).length;
    }
    return adopted;
  }
}
