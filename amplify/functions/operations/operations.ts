import { z } from 'zod';
import { ledgerKeys, type SpendBudgets } from '../../../contract/spend-budget';
import type { JobStore } from '../render-worker/ports';
import type { SpendLedgerStore } from '../render-worker/spend-guard';

/** A failed job as admins see it: what, why and how often, never its props, title or video. */
export interface RecentFailure {
  jobId: string;
  compositionId: string;
  errorMessage: string | null;
  attempts: number;
  finishedAt: string | null;
}

/** The Operations view's figures (the `OperationsOverview` type of amplify/data/operations-schema.ts). */
export interface OperationsOverview {
  queueDepth: number;
  queueInFlight: number;
  deadLetters: number;
  rendersInFlight: number;
  renderCap: number;
  finishedLastHour: number;
  failedLastHour: number;
  failureRateLastHour: number;
  spentTodayUsd: number;
  dailyBudgetUsd: number;
  spentThisMonthUsd: number;
  monthlyBudgetUsd: number;
  dailyRendersPerUser: number;
  recentFailures: RecentFailure[];
  generatedAt: string;
}

/** One message kept from the dead-letter queue, with the job it names. */
export interface DeadLetter {
  messageId: string;
  jobId: string | null;
  compositionId: string | null;
  jobStatus: string | null;
  errorMessage: string | null;
  receiveCount: number;
  sentAt: string | null;
  body: string;
}

/** What a mutation did, for the view to say. */
export interface OperationResult {
  count: number;
  message: string;
}

/** A message of the dead-letter archive, as the queue hands it out. */
export interface KeptMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: string | null;
}

/** The queues as the Operations view uses them: SQS in the cloud, fauxqs locally (the same adapter). */
export interface OperationsQueues {
  renderQueueCounts(): Promise<{ visible: number; inFlight: number }>;
  /** Messages in the DLQ (on their way to the archive) and in the archive. */
  deadLetterCount(): Promise<number>;
  /** Up to `max` archived messages, left in the archive. */
  peekDeadLetters(max: number): Promise<KeptMessage[]>;
  /** Removes the archived message with this id and resolves it, or null when it is not there (any more). */
  takeDeadLetter(messageId: string): Promise<KeptMessage | null>;
  /** Removes and resolves up to `max` archived messages. */
  takeDeadLetters(max: number): Promise<KeptMessage[]>;
  /** Sends `{ jobId }` to the render queue. */
  enqueue(jobId: string): Promise<void>;
}

/** The jobs as the Operations view reads them: through the data API (IAM), in the cloud and locally. */
export interface OperationsJobs {
  countRendering(): Promise<number>;
  /** Newest FAILED jobs first. */
  listRecentFailures(limit: number): Promise<RecentFailure[]>;
  /** Jobs ended (any terminal status) and failed since `sinceIso`. */
  countFinishedSince(sinceIso: string): Promise<{ finished: number; failed: number }>;
  get(jobId: string): Promise<{
    id: string;
    compositionId: string;
    status: string;
    errorMessage: string | null;
  } | null>;
}

/** Everything the Operations resolver works over. */
export interface OperationsPorts {
  queues: OperationsQueues;
  jobs: OperationsJobs;
  /** Conditional job writes (the worker's store): a redrive returns a FAILED job to QUEUED. */
  jobStore: Pick<JobStore, 'update'>;
  ledger: Pick<SpendLedgerStore, 'get'>;
  /** Invites a person: Cognito creates the account and mails a temporary password. */
  inviteUser(email: string): Promise<void>;
  settings: { renderCap: number; budgets: SpendBudgets };
  now(): number;
}

/** A refusal an admin can act on (bad input, nothing to do); anything else is the system's. */
export class OperationsError extends Error {
  override readonly name = 'OperationsError';
}

const HOUR_MS = 60 * 60 * 1000;
const MAX_LISTED = 50;
const MAX_REDRIVEN = 100;

const jobIdOf = (body: string): string | null => {
  try {
    const parsed = z.object({ jobId: z.string().min(1) }).safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.jobId : null;
  } catch {
    return null;
  }
};

/** Builds the admins' operations over their ports; the Lambda and local mode pass different adapters. */
export const createOperations = (ports: OperationsPorts) => {
  const getOverview = async (): Promise<OperationsOverview> => {
    const now = ports.now();
    const [counts, deadLetters, rendersInFlight, lastHour, recentFailures, day, month] =
      await Promise.all([
        ports.queues.renderQueueCounts(),
        ports.queues.deadLetterCount(),
        ports.jobs.countRendering(),
        ports.jobs.countFinishedSince(new Date(now - HOUR_MS).toISOString()),
        ports.jobs.listRecentFailures(10),
        ports.ledger.get(ledgerKeys.day(now)),
        ports.ledger.get(ledgerKeys.month(now)),
      ]);
    const { budgets } = ports.settings;
    return {
      queueDepth: counts.visible,
      queueInFlight: counts.inFlight,
      deadLetters,
      rendersInFlight,
      renderCap: ports.settings.renderCap,
      finishedLastHour: lastHour.finished,
      failedLastHour: lastHour.failed,
      failureRateLastHour: lastHour.finished === 0 ? 0 : lastHour.failed / lastHour.finished,
      spentTodayUsd: day?.reservedUsd ?? 0,
      dailyBudgetUsd: budgets.dailyBudgetUsd,
      spentThisMonthUsd: month?.reservedUsd ?? 0,
      monthlyBudgetUsd: budgets.monthlyBudgetUsd,
      dailyRendersPerUser: budgets.dailyRendersPerUser,
      recentFailures,
      generatedAt: new Date(now).toISOString(),
    };
  };

  const describe = async (message: KeptMessage): Promise<DeadLetter> => {
    const jobId = jobIdOf(message.body);
    const job = jobId ? await ports.jobs.get(jobId) : null;
    return {
      messageId: message.messageId,
      jobId,
      compositionId: job?.compositionId ?? null,
      jobStatus: job?.status ?? null,
      errorMessage: job?.errorMessage ?? null,
      receiveCount: message.receiveCount,
      sentAt: message.sentAt,
      body: message.body,
    };
  };

  const listDeadLetters = async (): Promise<DeadLetter[]> =>
    Promise.all((await ports.queues.peekDeadLetters(MAX_LISTED)).map(describe));

  // A dead-lettered job ended FAILED: back to QUEUED (a conditional write, so only a FAILED job moves), then a message.
  const redriveOne = async (message: KeptMessage): Promise<boolean> => {
    const jobId = jobIdOf(message.body);
    if (!jobId) return false;
    const requeued = await ports.jobStore.update(
      jobId,
      { status: 'FAILED' },
      {
        status: 'QUEUED',
        renderId: null,
        startedAt: null,
        finishedAt: null,
        errorMessage: null,
        progress: null,
        renderedFrames: null,
        totalFrames: null,
        etaSeconds: null,
        attempts: 0,
        queueCheckedAt: new Date(ports.now()).toISOString(),
      },
    );
    if (requeued) await ports.queues.enqueue(jobId);
    return requeued;
  };

  const redriveDeadLetters = async (messageId: string | undefined): Promise<OperationResult> => {
    if (messageId !== undefined) {
      const message = await ports.queues.takeDeadLetter(messageId);
      if (!message)
        throw new OperationsError(
          `No dead letter ${messageId}: it was redriven or discarded already. Refresh the list.`,
        );
      const requeued = await redriveOne(message);
      return {
        count: requeued ? 1 : 0,
        message: requeued
          ? `Job ${jobIdOf(message.body)} is queued again.`
          : `The message was removed; its job was not FAILED any more, so nothing was queued.`,
      };
    }
    const messages = await ports.queues.takeDeadLetters(MAX_REDRIVEN);
    let count = 0;
    for (const message of messages) if (await redriveOne(message)) count += 1;
    return { count, message: `${count} of ${messages.length} dead-lettered job(s) queued again.` };
  };

  const discardDeadLetter = async (messageId: string): Promise<OperationResult> => {
    const message = await ports.queues.takeDeadLetter(messageId);
    if (!message)
      throw new OperationsError(
        `No dead letter ${messageId}: it was redriven or discarded already. Refresh the list.`,
      );
    return {
      count: 1,
      message: `Discarded; job ${jobIdOf(message.body) ?? '(none)'} stays FAILED.`,
    };
  };

  const inviteUser = async (email: string): Promise<OperationResult> => {
    await ports.inviteUser(email);
    return {
      count: 1,
      message: `Invited ${email}: Cognito mails a temporary password to sign in with.`,
    };
  };

  return { getOverview, listDeadLetters, redriveDeadLetters, discardDeadLetter, inviteUser };
};

/** The admins' operations. */
export type Operations = ReturnType<typeof createOperations>;
