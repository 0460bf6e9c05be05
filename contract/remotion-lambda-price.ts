/**
 * Remotion Lambda's price in the browser. The studio cannot load `@remotion/lambda/client` there (its bundle imports
 * `node:module` and the AWS SDK for Node, and `vite build` refuses it), so it prices a render with Remotion's formula
 * (`estimatePrice`: ARM duration by memory, disk beyond 512 MB, requests; rounded to 5 decimals) over the rates in
 * `remotion-lambda-rates.ts`, which scripts/remotion-lambda-rates.ts derives from the installed Remotion. A unit test
 * compares this with `estimatePrice` itself for every region.
 */
import type { EstimatePrice } from './output-estimate';
import { REMOTION_LAMBDA_RATES } from './remotion-lambda-rates';

/** One region's rates in USD. */
export interface RemotionLambdaRates {
  /** Per GB-second of ARM Lambda duration. */
  perGbSecond: number;
  /** Per GB-second of ephemeral storage beyond the free 512 MB. */
  perDiskGbSecond: number;
  perRequest: number;
}

const FREE_DISK_MB = 512;

/** `estimatePrice`'s answer, from the rate table; an unknown region or a bad number is refused as Remotion does. */
export const estimateRemotionLambdaPrice: EstimatePrice = ({
  region,
  memorySizeInMb,
  diskSizeInMb,
  lambdasInvoked,
  durationInMilliseconds,
}) => {
  const rates = REMOTION_LAMBDA_RATES[region];
  if (!rates)
    throw new TypeError(
      `Remotion Lambda has no price for region ${String(region)}; expected one of ${Object.keys(REMOTION_LAMBDA_RATES).join(', ')}`,
    );
  for (const [name, value] of Object.entries({
    memorySizeInMb,
    diskSizeInMb,
    lambdasInvoked,
    durationInMilliseconds,
  }))
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError(
        `${name} must be a finite number of at least 0, but got ${String(value)}`,
      );
  const seconds = durationInMilliseconds / 1000;
  const duration = rates.perGbSecond * (memorySizeInMb / 1024) * seconds;
  const disk = Math.max(0, diskSizeInMb - FREE_DISK_MB) * rates.perDiskGbSecond * (seconds / 1024);
  return Number((duration + disk + rates.perRequest * lambdasInvoked).toFixed(5));
};
