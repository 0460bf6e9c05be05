import { describe, expect, it } from 'vitest';
import {
  createVideoUrl,
  VideoUrlError,
  type VideoUrlJob,
  type VideoUrlPorts,
} from '../../../amplify/functions/video-url/create-video-url';
import { createVideoUrlHandler } from '../../../amplify/functions/video-url/handler';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const DORA = { sub: '11111111-1111-4111-8111-111111111111' };
const EVE = { sub: '22222222-2222-4222-8222-222222222222' };

const aJob = (overrides: Partial<VideoUrlJob> = {}): VideoUrlJob => ({
  id: 'job-1',
  owner: `${DORA.sub}::dora@example.com`,
  status: 'SUCCEEDED',
  outputKey: `renders/${DORA.sub}/job-1.mp4`,
  ...overrides,
});

/** Ports over an in-memory job list; records what was signed. */
const fakePorts = (jobs: VideoUrlJob[], lifetimeSeconds?: number) => {
  const signed: { key: string; expiresAt: Date }[] = [];
  const ports: VideoUrlPorts = {
    loadJob: async (id) => jobs.find((job) => job.id === id),
    signUrl: async (request) => {
      signed.push(request);
      return `https://signed.example/${request.key}?expires=${request.expiresAt.getTime()}`;
    },
    now: () => NOW,
    ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
  };
  return { ports, signed };
};

describe('createVideoUrl', () => {
  it("gives the owner a URL for the job's video that lives at least an hour", async () => {
    const { ports, signed } = fakePorts([aJob()]);

    const result = await createVideoUrl({ jobId: 'job-1', caller: DORA }, ports);

    expect(signed).toHaveLength(1);
    expect(signed[0]!.key).toBe(`renders/${DORA.sub}/job-1.mp4`);
    expect(result.url).toBe(
      `https://signed.example/renders/${DORA.sub}/job-1.mp4?expires=${signed[0]!.expiresAt.getTime()}`,
    );
    expect(Date.parse(result.expiresAt) - NOW.getTime()).toBeGreaterThanOrEqual(3600 * 1000);
    expect(result.expiresAt).toBe(signed[0]!.expiresAt.toISOString());
  });

  it('signs the poster beside the video, with the same lifetime, when the render made one', async () => {
    const posterKey = `renders/${DORA.sub}/job-1.poster.jpeg`;
    const { ports, signed } = fakePorts([aJob({ posterKey })]);

    const result = await createVideoUrl({ jobId: 'job-1', caller: DORA }, ports);

    expect(signed.map((request) => request.key)).toEqual([
      `renders/${DORA.sub}/job-1.mp4`,
      posterKey,
    ]);
    expect(result.posterUrl).toBe(
      `https://signed.example/${posterKey}?expires=${signed[1]!.expiresAt.getTime()}`,
    );
    // Without a poster, no posterUrl at all.
    const { ports: plain } = fakePorts([aJob()]);
    expect(await createVideoUrl({ jobId: 'job-1', caller: DORA }, plain)).not.toHaveProperty(
      'posterUrl',
    );
  });

  it('refuses the outputs of an expired job, saying so, and signs nothing', async () => {
    for (const expired of [
      aJob({ expiresAt: '2026-01-01T11:59:59.000Z' }),
      aJob({ expiresAt: '2026-02-01T00:00:00.000Z', expiredAt: '2026-01-01T10:00:00.000Z' }),
    ]) {
      const { ports, signed } = fakePorts([expired]);
      const attempt = createVideoUrl({ jobId: 'job-1', caller: DORA }, ports);
      await expect(attempt).rejects.toMatchObject({ code: 'EXPIRED' });
      await expect(attempt).rejects.toThrow(/expired on .* Render it again/);
      expect(signed).toHaveLength(0);
    }
    // Not yet expired: a URL as usual.
    const { ports } = fakePorts([aJob({ expiresAt: '2026-01-01T12:00:01.000Z' })]);
    await expect(createVideoUrl({ jobId: 'job-1', caller: DORA }, ports)).resolves.toHaveProperty(
      'url',
    );
  });

  it('matches the owner by the sub part of `<sub>::<username>`', async () => {
    const { ports } = fakePorts([aJob({ owner: `${DORA.sub}::someone-renamed` })]);
    await expect(createVideoUrl({ jobId: 'job-1', caller: DORA }, ports)).resolves.toHaveProperty(
      'url',
    );
  });

  it("refuses another user's job exactly as if it did not exist, and signs nothing", async () => {
    const { ports, signed } = fakePorts([aJob()]);

    const other = createVideoUrl({ jobId: 'job-1', caller: EVE }, ports);
    const unknown = createVideoUrl({ jobId: 'job-404', caller: EVE }, ports);

    await expect(other).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [otherError, unknownError] = await Promise.all([
      other.catch((error: VideoUrlError) => error.message.replace('job-1', 'ID')),
      unknown.catch((error: VideoUrlError) => error.message.replace('job-404', 'ID')),
    ]);
    expect(otherError).toBe(unknownError);
    expect(signed).toHaveLength(0);
  });

  it('refuses an unknown job', async () => {
    const { ports } = fakePorts([]);
    await expect(createVideoUrl({ jobId: 'nope', caller: DORA }, ports)).rejects.toThrow(
      /no job with id "nope"/,
    );
  });

  it.each(['QUEUED', 'RENDERING', 'FAILED', 'CANCELLED'])(
    'refuses a %s job: no video yet',
    async (status) => {
      const { ports, signed } = fakePorts([aJob({ status, outputKey: null })]);
      const attempt = createVideoUrl({ jobId: 'job-1', caller: DORA }, ports);
      await expect(attempt).rejects.toBeInstanceOf(VideoUrlError);
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_READY' });
      await expect(attempt).rejects.toThrow(new RegExp(`status is ${status}`));
      expect(signed).toHaveLength(0);
    },
  );

  it('refuses a caller without an identity', async () => {
    const { ports } = fakePorts([aJob()]);
    await expect(
      createVideoUrl({ jobId: 'job-1', caller: undefined }, ports),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('will not promise URLs shorter than an hour', async () => {
    const { ports } = fakePorts([aJob()], 600);
    await expect(createVideoUrl({ jobId: 'job-1', caller: DORA }, ports)).rejects.toThrow(
      /at least 3600 s/,
    );
  });
});

describe('createVideoUrlHandler', () => {
  it("reads the job id from the arguments and the caller from the event's Cognito identity", async () => {
    const { ports } = fakePorts([aJob()]);
    const handler = createVideoUrlHandler(ports);
    const identity = {
      sub: DORA.sub,
      username: 'dora@example.com',
      claims: {},
      issuer: '',
      sourceIp: [],
      defaultAuthStrategy: 'ALLOW',
      groups: null,
    };

    await expect(handler({ arguments: { jobId: 'job-1' }, identity })).resolves.toHaveProperty(
      'url',
    );
    await expect(
      handler({ arguments: { jobId: 'job-1' }, identity: { ...identity, sub: EVE.sub } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(handler({ arguments: { jobId: 'job-1' }, identity: null })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
