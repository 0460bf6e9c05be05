import { ledgerKeys, type SpendBudgets } from '../../../contract/spend-budget';
import type { JobStore } from '../render-worker/ports';
import type { SpendLedgerStore } from '../render-worker/spend-guard';
import type { DeadLetterRecord, DeadLetterRecords } from './appsync-dead-letter-records';
import { readWorkerFigures, type WorkerMetricSource } from './worker-metric-data';

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

/** A dead letter as admins see it: the kept record, with the job it names. */
export interface DeadLetter {
  /** The record's id: its job's id (one record per dead-lettered job). */
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

/** The queues as the Operations view uses them: SQS in the cloud, fauxqs locally (the same adapter). */
export interface OperationsQueues {
  renderQueueCounts(): Promise<{ visible: number; inFlight: number }>;
  /** Messages in the render DLQ: dead letters the worker has not ended and kept yet. */
  deadLetterQueueCount(): Promise<number>;
  /** Sends `{ jobId }` to the render queue. */
  enqueue(jobId: string): Promise<void>;
}

/** The jobs as the Operations view reads them: through the data API (IAM), in the cloud and locally. */
export interface OperationsJobs {
  countRendering(): Promise<number>;
  /** Newest FAILED jobs first. */
  listRecentFailures(limit: number): Promise<RecentFailure[]>;
  /** Jobs ended (any terminal status) and failed since `sinceIso`, from the Job table: used only without metrics. */
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
  /** The dead-letter archive: listing reads it, a redrive or a discard consumes one record. */
  deadLetters: Pick<DeadLetterRecords, 'listPage' | 'take' | 'keep'>;
  jobs: OperationsJobs;
  /**
   * What the render worker emits, read back (worker-metric-data.ts): throughput and failure rate over the last hour.
   * Absent: counted from the Job table's status index instead.
   */
  workerMetrics?: { source: WorkerMetricSource; functionName: string };
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
const MAX_LISTED = 100;
const PAGE = 100;
const REDRIVE_BATCH = 25;
/** A "Redrive all" stops taking records while this much of the function's time is left, and says so. */
export const REDRIVE_TIME_RESERVE_MS = 5_000;

/** How long the current call may still run (the Lambda's remaining time, less nothing). */
export type TimeLeft = () => number;

/** Builds the admins' operations over their ports; the Lambda and local mode pass different adapters. */
export const createOperations = (ports: OperationsPorts) => {
  const listAllRecords = async (): Promise<DeadLetterRecord[]> => {
    const records: DeadLetterRecord[] = [];
    let nextToken: string | null = null;
    do {
      const page = await ports.deadLetters.listPage(PAGE, nextToken);
      records.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return records;
  };

  const lastHour = async (now: number): Promise<{ finished: number; failed: number }> => {
    const window = { start: new Date(now - HOUR_MS), end: new Date(now) };
    if (!ports.workerMetrics) return ports.jobs.countFinishedSince(window.start.toISOString());
    return readWorkerFigures(ports.workerMetrics.source, ports.workerMetrics.functionName, window);
  };

  const getOverview = async (): Promise<OperationsOverview> => {
    const now = ports.now();
    const [counts, queuedDeadLetters, kept, rendersInFlight, hour, recentFailures, day, month] =
      await Promise.all([
        ports.queues.renderQueueCounts(),
        ports.queues.deadLetterQueueCount(),
        listAllRecords(),
        ports.jobs.countRendering(),
        lastHour(now),
        ports.jobs.listRecentFailures(10),
        ports.ledger.get(ledgerKeys.day(now)),
        ports.ledger.get(ledgerKeys.month(now)),
      ]);
    const { budgets } = ports.settings;
    return {
      queueDepth: counts.visible,
      queueInFlight: counts.inFlight,
      deadLetters: queuedDeadLetters + kept.length,
      rendersInFlight,
      renderCap: ports.settings.renderCap,
      finishedLastHour: hour.finished,
      failedLastHour: hour.failed,
      failureRateLastHour: hour.finished === 0 ? 0 : hour.failed / hour.finished,
      spentTodayUsd: day?.reservedUsd ?? 0,
      dailyBudgetUsd: budgets.dailyBudgetUsd,
      spentThisMonthUsd: month?.reservedUsd ?? 0,
      monthlyBudgetUsd: budgets.monthlyBudgetUsd,
      dailyRendersPerUser: budgets.dailyRendersPerUser,
      recentFailures,
      generatedAt: new Date(now).toISOString(),
    };
  };

  const describe = async (record: DeadLetterRecord): Promise<DeadLetter> => {
    const job = await ports.jobs.get(record.jobId);
    return {
      messageId: record.jobId,
      jobId: record.jobId,
      compositionId: job?.compositionId ?? null,
      jobStatus: job?.status ?? null,
      errorMessage: job?.errorMessage ?? null,
      receiveCount: record.receiveCount,
      sentAt: record.deadLetteredAt,
      body: JSON.stringify(record),
    };
  };

  // The whole archive is read, so every listing sees every record; the newest are described.
  const listDeadLetters = async (): Promise<DeadLetter[]> => {
    const records = (await listAllRecords())
      .sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt))
      .slice(0, MAX_LISTED);
    return Promise.all(records.map(describe));
  };

  // A dead-lettered job ended FAILED: back to QUEUED (a conditional write, so only a FAILED job moves), then a message.
  // The record is consumed first, so two admins never redrive one job twice; if what follows fails, it is kept again.
  const redriveRecord = async (record: DeadLetterRecord): Promise<boolean> => {
    try {
      const requeued = await ports.jobStore.update(
        record.jobId,
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
      if (requeued) await ports.queues.enqueue(record.jobId);
      return requeued;
    } catch (error) {
      await ports.deadLetters.keep(record);
      throw error;
    }
  };

  const notThere = (messageId: string) =>
    new OperationsError(
      `No dead letter ${messageId}: it was redriven or discarded already. Refresh the list.`,
    );

  const redriveAll = async (timeLeft: TimeLeft): Promise<OperationResult> => {
    let taken = 0;
    let queued = 0;
    let outOfTime = false;
    let nextToken: string | null = null;
    for (;;) {
      if (timeLeft() < REDRIVE_TIME_RESERVE_MS) {
        outOfTime = true;
        break;
      }
      // Taken records leave the archive, so each round reads from the start (or past a page that was all gone).
      const page = await ports.deadLetters.listPage(REDRIVE_BATCH, nextToken);
      if (page.items.length === 0 && !page.nextToken) break;
      nextToken = page.items.length === 0 ? page.nextToken : null;
      for (const listed of page.items) {
        if (timeLeft() < REDRIVE_TIME_RESERVE_MS) {
          outOfTime = true;
          break;
        }
        const record = await ports.deadLetters.take(listed.jobId);
        if (!record) continue; // another admin took it meanwhile
        taken += 1;
        if (await redriveRecord(record)) queued += 1;
      }
      if (outOfTime) break;
    }
    const skipped = taken - queued;
    const parts = [`${queued} of ${taken} dead-lettered job(s) queued again.`];
    if (skipped > 0) parts.push(`${skipped} removed: their jobs were not FAILED any more.`);
    if (outOfTime) {
      const left = (await listAllRecords()).length;
      parts.push(`${left} left: the call ran out of time; press "Redrive all" again.`);
    }
    return { count: queued, message: parts.join(' ') };
  };

  const redriveDeadLetters = async (
    messageId: string | undefined,
    timeLeft: TimeLeft = () => Number.POSITIVE_INFINITY,
  ): Promise<OperationResult> => {
    if (messageId === undefined) return redriveAll(timeLeft);
    const record = await ports.deadLetters.take(messageId);
    if (!record) throw notThere(messageId);
    const requeued = await redriveRecord(record);
    return {
      count: requeued ? 1 : 0,
      message: requeued
        ? `Job ${record.jobId} is queued again.`
        : `The dead letter was removed; its job was not FAILED any more, so nothing was queued.`,
    };
  };

  const discardDeadLetter = async (messageId: string): Promise<OperationResult> => {
    const record = await ports.deadLetters.take(messageId);
    if (!record) throw notThere(messageId);
    return { count: 1, message: `Discarded; job ${record.jobId} stays FAILED.` };
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
