// Plain data: the bench's cost model (bench/cloud-cost.ts) and the studio's estimate (output-estimate.ts) price alike.
/**
 * Public list prices, us-east-1, read on 2025-11 from the pages named beside each.
 * Free tiers are ignored: a studio past its first month pays these.
 */
export const AWS_PRICES_US_EAST_1 = {
  /** aws.amazon.com/lambda/pricing — x86_64, per GB-second (`defineFunction`'s default architecture). */
  lambdaX86UsdPerGbSecond: 0.0000166667,
  /** aws.amazon.com/lambda/pricing — arm64, per GB-second (the worker and the webhook endpoint run on arm64). */
  lambdaArmUsdPerGbSecond: 0.0000133334,
  /** aws.amazon.com/lambda/pricing — per request. */
  lambdaUsdPerRequest: 0.2 / 1_000_000,
  /** aws.amazon.com/sqs/pricing — standard queue, per request (a 64 KB chunk). */
  sqsUsdPerRequest: 0.4 / 1_000_000,
  /** aws.amazon.com/dynamodb/pricing/on-demand — per write request unit (price since 2024-11-01). */
  dynamoDbUsdPerWriteUnit: 0.625 / 1_000_000,
  /** aws.amazon.com/dynamodb/pricing/on-demand — per read request unit (price since 2024-11-01). */
  dynamoDbUsdPerReadUnit: 0.125 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per query or mutation operation. */
  appSyncUsdPerOperation: 4.0 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per real-time message delivered to a subscriber. */
  appSyncUsdPerRealtimeMessage: 2.0 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per connection-minute. */
  appSyncUsdPerConnectionMinute: 0.08 / 1_000_000,
  /** aws.amazon.com/s3/pricing — S3 Standard, per GET, HEAD and other read request ($0.0004 per 1,000). */
  s3UsdPerReadRequest: 0.4 / 1_000_000,
  /** aws.amazon.com/eventbridge/pricing — Pipes, per request after filtering. */
  pipesUsdPerRequest: 0.4 / 1_000_000,
  /** aws.amazon.com/cloudwatch/pricing — logs ingested (standard class), per GB. */
  cloudWatchLogsUsdPerGb: 0.5,
} as const;
