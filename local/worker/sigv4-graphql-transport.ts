import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AppSyncRequestError,
  type GraphqlTransport,
} from '../../amplify/functions/render-worker/appsync-job-store';

/**
 * A GraphQL transport that signs each request with SigV4 (IAM), like the worker's Amplify client in the
 * cloud, but without configuring the process-wide Amplify singleton, so a studio client (user pool auth)
 * can run in the same process (the integration tests do).
 */
export function createSigV4GraphqlTransport(options: {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): GraphqlTransport {
  const url = new URL(options.url);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'appsync',
    sha256: Sha256,
  });
  return async (query, variables) => {
    const body = JSON.stringify({ query, variables });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      }),
    );
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    let result: { data?: unknown; errors?: { message?: string; errorType?: string }[] };
    try {
      result = JSON.parse(text) as typeof result;
    } catch {
      throw new AppSyncRequestError(
        response.status >= 500 ? 'InternalServerError' : undefined,
        `Expected a GraphQL JSON response from ${options.url}, but got HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    if (result.errors?.length) {
      const first = result.errors[0];
      throw new AppSyncRequestError(
        first?.errorType,
        result.errors
          .map((error) => `${error.errorType ?? 'Error'}: ${error.message ?? ''}`)
          .join('; '),
      );
    }
    return result.data;
  };
}
