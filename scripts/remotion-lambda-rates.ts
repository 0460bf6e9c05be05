/**
 * `node --import tsx scripts/remotion-lambda-rates.ts [--write]`: derives Remotion Lambda's price per region from
 * Remotion's own `estimatePrice` (the installed `@remotion/lambda`) and prints `contract/remotion-lambda-rates.ts`, or
 * writes it with `--write`. Run it after upgrading Remotion; tests/unit/outputs/remotion-lambda-price.test.ts fails
 * until the table matches.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getRegions } from '@remotion/lambda';
import { estimatePrice } from '@remotion/lambda/client';
import type { RemotionLambdaRates } from '../contract/remotion-lambda-price';

type Region = ReturnType<typeof getRegions>[number];

/** 10⁹: large enough that `estimatePrice`'s rounding to 5 decimals keeps every digit of a 10-decimal price. */
const SCALE = 1e9;

const price = (
  region: Region,
  input: { memory?: number; disk?: number; lambdas?: number; ms?: number },
) =>
  estimatePrice({
    region,
    memorySizeInMb: input.memory ?? 1024,
    diskSizeInMb: input.disk ?? 512,
    lambdasInvoked: input.lambdas ?? 0,
    durationInMilliseconds: input.ms ?? 0,
  });

const exact = (value: number) => Number((value / SCALE).toPrecision(10));

/** One region's rates, each read from `estimatePrice` with the other two terms at zero. */
export function deriveRemotionLambdaRates(region: Region): RemotionLambdaRates {
  // 1 GB for 10⁹ s; then 1 GB of disk beyond the free 512 MB for as long (minus the duration term).
  const durationOnly = price(region, { ms: SCALE * 1000 });
  const withDisk = price(region, { ms: SCALE * 1000, disk: 512 + 1024 });
  return {
    perGbSecond: exact(durationOnly),
    perDiskGbSecond: exact(withDisk - durationOnly),
    perRequest: exact(price(region, { lambdas: SCALE })),
  };
}

export function deriveAllRemotionLambdaRates(): Record<string, RemotionLambdaRates> {
  return Object.fromEntries(
    getRegions().map((region) => [region, deriveRemotionLambdaRates(region)]),
  );
}

function renderModule(rates: Record<string, RemotionLambdaRates>): string {
  const rows = Object.entries(rates)
    .map(
      ([region, rate]) =>
        `  '${region}': { perGbSecond: ${rate.perGbSecond}, perDiskGbSecond: ${rate.perDiskGbSecond}, perRequest: ${rate.perRequest} },`,
    )
    .join('\n');
  return `/** Written by \`node --import tsx scripts/remotion-lambda-rates.ts --write\` from Remotion's \`estimatePrice\`. */
import type { RemotionLambdaRates } from './remotion-lambda-price';

export const REMOTION_LAMBDA_RATES: Record<string, RemotionLambdaRates> = {
${rows}
};
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = renderModule(deriveAllRemotionLambdaRates());
  if (process.argv.includes('--write')) {
    const file = resolve(import.meta.dirname, '../contract/remotion-lambda-rates.ts');
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  } else process.stdout.write(text);
}
