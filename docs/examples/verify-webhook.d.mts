/** Types of the README's verifier (docs/examples/verify-webhook.mjs), for the tests that run it. */
export declare function verifyWebhook(
  header: string | undefined,
  body: string,
  secret: string,
  now?: number,
): boolean;
