import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3UrlSigner } from '../../../amplify/functions/video-url/s3-url-signer';
import { SIGNER_KEY_RELOAD_SECONDS } from '../../../amplify/functions/video-url/signer-key';
import {
  assertRotationOutlivesUrls,
  DEFAULT_SIGNER_KEY_ROTATION_DAYS,
  oldKeyGraceSecondsOf,
} from '../../../amplify/storage/video-url-signer';
import { createFakeSignerAccount, SIGNER_SECRET_ARN } from '../../support/fake-signer-account';

const DAY_MS = 86_400_000;
const WEEK_SECONDS = 7 * 86_400;
const START = new Date('2030-01-01T00:00:00Z');

describe('assertRotationOutlivesUrls', () => {
  it('accepts the default 30 days with the longest URL lifetime, 7 days', () => {
    expect(() =>
      assertRotationOutlivesUrls({
        rotationDays: DEFAULT_SIGNER_KEY_ROTATION_DAYS,
        videoUrlTtlSeconds: WEEK_SECONDS,
      }),
    ).not.toThrow();
  });

  it('refuses an interval that, less the day Secrets Manager may rotate in, is shorter than a URL lives', () => {
    // 8 days less a day is exactly 7 days: no room for the key reload.
    expect(() =>
      assertRotationOutlivesUrls({ rotationDays: 8, videoUrlTtlSeconds: WEEK_SECONDS }),
    ).toThrow(/must rotate every 9 to 1000 whole days, but got 8.*VIDEO_URL_TTL_SECONDS 604800/s);
    expect(() =>
      assertRotationOutlivesUrls({ rotationDays: 9, videoUrlTtlSeconds: WEEK_SECONDS }),
    ).not.toThrow();
  });

  it('refuses intervals Secrets Manager or the arithmetic cannot take', () => {
    for (const rotationDays of [0, 1, 2.5, 1001]) {
      expect(() => assertRotationOutlivesUrls({ rotationDays, videoUrlTtlSeconds: 3600 })).toThrow(
        /must rotate every 2 to 1000 whole days/,
      );
    }
  });
});

describe('a signer key under rotation', () => {
  let account: ReturnType<typeof createFakeSignerAccount> | undefined;
  afterEach(() => account?.restore());

  it(
    'is still held by the user whenever a URL it signed has not yet expired',
    { timeout: 30_000 },
    async () => {
      // The tightest schedule the synthesis allows for 7-day URLs, with rotations as close
      // together as Secrets Manager's daily window permits (the interval less a day).
      const ttlSeconds = WEEK_SECONDS;
      const rotationDays = 9;
      assertRotationOutlivesUrls({ rotationDays, videoUrlTtlSeconds: ttlSeconds });
      const gapMs = (rotationDays - 1) * DAY_MS + 60_000;
      account = createFakeSignerAccount({ start: START });
      let clock = START.getTime();
      const rotationPorts = { oldKeyGraceSeconds: oldKeyGraceSecondsOf(ttlSeconds) };
      await account.rotate(rotationPorts);
      let nextRotation = clock + gapMs;
      const sign = createS3UrlSigner({
        bucket: 'outputs-bucket',
        region: 'us-east-1',
        secretArn: SIGNER_SECRET_ARN,
        secrets: new SecretsManagerClient({ region: 'us-east-1' }),
        now: () => clock,
      });
      const issued: { key: string; expiresAt: number }[] = [];
      const broken: string[] = [];
      const signAndCheck = async () => {
        account!.setTime(new Date(clock));
        const url = new URL(
          await sign({ key: 'renders/a/b.mp4', expiresAt: new Date(clock + ttlSeconds * 1000) }),
        );
        issued.push({
          key: url.searchParams.get('X-Amz-Credential')!.split('/')[0]!,
          expiresAt: clock + ttlSeconds * 1000,
        });
        const held = new Set(account!.userKeys());
        for (const { key, expiresAt } of issued) {
          if (expiresAt > clock && !held.has(key)) {
            broken.push(
              `${key} was gone at ${new Date(clock).toISOString()}, its URL lives until ${new Date(expiresAt).toISOString()}`,
            );
          }
        }
      };

      // 45 days, five rotations: a URL every 12 hours, and around each rotation the riskiest
      // ones: signed with a freshly read key just before, then with that (replaced) key just
      // before the signer re-reads the secret.
      const end = START.getTime() + 45 * DAY_MS;
      let signedWithReplacedKey = 0;
      while (clock < end) {
        if (clock + 12 * 3600_000 < nextRotation) {
          clock += 12 * 3600_000;
          await signAndCheck();
          continue;
        }
        clock = nextRotation - 1000;
        sign.reload();
        await signAndCheck();
        clock = nextRotation;
        account.setTime(new Date(clock));
        await account.rotate(rotationPorts);
        nextRotation = clock + gapMs;
        clock += SIGNER_KEY_RELOAD_SECONDS * 1000 - 2000;
        await signAndCheck();
        if (issued.at(-1)!.key !== account.keyAt('AWSCURRENT')) signedWithReplacedKey += 1;
      }

      expect(new Set(issued.map((url) => url.key)).size).toBe(6);
      expect(signedWithReplacedKey).toBe(5);
      expect(broken.slice(0, 3)).toEqual([]);
    },
  );
});
