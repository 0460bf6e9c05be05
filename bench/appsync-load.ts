import { request as httpRequest } from 'node:http';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { JobStatus } from '../contract/job-contract';

/** A signed-in bench user: the access token the Amplify client would send for user-pool auth. */
export interface BenchUser {
  email: string;
  accessToken: string;
}

/** What the user-pool side of the local data plane offers (`DataPlane['cognito']`). */
export interface UserPool {
  createUser(email: string, password: string): Promise<void>;
  signIn(email: string, password: string): Promise<{ idToken: string; accessToken: string }>;
}

/** Runs `task` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`limit must be a positive whole number, but got ${limit}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Creates and signs in `count` users named `<prefix>-<n>@bench.local`. */
export async function createBenchUsers(
  pool: UserPool,
  count: number,
  prefix: string,
): Promise<BenchUser[]> {
  const password = 'Bench-pass-123';
  return mapWithConcurrency(
    Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}@bench.local`),
    8,
    async (email) => {
      await pool.createUser(email, password);
      const { accessToken } = await pool.signIn(email, password);
      return { email, accessToken };
    },
  );
}

const CREATE_JOB = /* GraphQL */ `
  mutation CreateJob($input: CreateJobInput!) {
    createJob(input: $input) {
      id
      owner
      createdAt
    }
  }
`;

/** Creates a job the way the studio does (`Job.create`, user-pool auth), over plain HTTP for bulk loads. */
export async function createJobThroughAppSync(
  graphqlUrl: string,
  user: BenchUser,
  input: { compositionId: string; inputProps: Record<string, unknown> },
): Promise<{ id: string; owner: string; createdAt: string }> {
  const { status, text } = await postJson(graphqlUrl, user.accessToken, {
    query: CREATE_JOB,
    variables: {
      input: { compositionId: input.compositionId, inputProps: JSON.stringify(input.inputProps) },
    },
  });
  let body: {
    data?: { createJob?: { id: string; owner: string; createdAt: string } | null };
    errors?: { message: string }[];
  };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(
      `createJob: expected JSON from ${graphqlUrl}, but got HTTP ${status}: ${text.slice(0, 200)}`,
    );
  }
  const job = body.data?.createJob;
  if (!job) {
    throw new Error(
      `createJob: expected a created job, but got ${JSON.stringify(body.errors ?? body).slice(0, 300)}`,
    );
  }
  return job;
}

/** The server fields the bench reads back from the Job table. */
export interface JobRow {
  id: string;
  status: JobStatus | 'NONE';
  startedAt?: string;
  finishedAt?: string;
  errorMessage?: string;
}

/** Reads every Job straight from DynamoDB (the source of truth), paging through the scan. */
export async function scanJobTable(dynamodb: {
  endpoint: string;
  region: string;
  jobTableName: string;
}): Promise<JobRow[]> {
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: dynamodb.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const rows: JobRow[] = [];
  try {
    let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: dynamodb.jobTableName,
          ProjectionExpression: 'id, #status, startedAt, finishedAt, errorMessage',
          ExpressionAttributeNames: { '#status': 'status' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        rows.push({
          id: item.id?.S ?? '',
          status: (item.status?.S as JobStatus | undefined) ?? 'NONE',
          startedAt: item.startedAt?.S,
          finishedAt: item.finishedAt?.S,
          errorMessage: item.errorMessage?.S,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return rows;
}

/** Counts rows by status, e.g. `{ SUCCEEDED: 998, QUEUED: 2 }`. */
export function countByStatus(rows: readonly Pick<JobRow, 'status'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/**
 * POSTs JSON on a fresh connection: a pooled keep-alive socket that the server closes while idle fails the
 * next request with "other side closed", which for a non-idempotent create cannot simply be retried.
 */
function postJson(
  url: string,
  authorization: string,
  payload: unknown,
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(payload);
  return new Promise((done, fail) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          done({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', fail);
      },
    );
    request.on('error', (error) =>
      fail(
        new Error(`createJob: the request to ${url} failed: ${error.message}`, { cause: error }),
      ),
    );
    request.end(body);
  });
}
