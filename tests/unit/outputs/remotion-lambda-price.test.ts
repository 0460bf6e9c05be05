import { describe, expect, it } from 'vitest';
import { getRegions } from '@remotion/lambda';
import { estimatePrice } from '@remotion/lambda/client';
import { estimateRemotionLambdaPrice } from '../../../contract/remotion-lambda-price';
import { REMOTION_LAMBDA_RATES } from '../../../contract/remotion-lambda-rates';
import { deriveAllRemotionLambdaRates } from '../../../scripts/remotion-lambda-rates';

type Input = Parameters<typeof estimatePrice>[0];

/** Renders of every size the studio prices: the main function, a poll, many renderers, a big disk. */
const INPUTS = [
  { memorySizeInMb: 2048, diskSizeInMb: 2048, lambdasInvoked: 1, durationInMilliseconds: 10_400 },
  { memorySizeInMb: 2048, diskSizeInMb: 2048, lambdasInvoked: 6, durationInMilliseconds: 61_000 },
  {
    memorySizeInMb: 3009,
    diskSizeInMb: 10_240,
    lambdasInvoked: 40,
    durationInMilliseconds: 600_000,
  },
  { memorySizeInMb: 512, diskSizeInMb: 512, lambdasInvoked: 1, durationInMilliseconds: 200 },
  {
    memorySizeInMb: 10_240,
    diskSizeInMb: 600,
    lambdasInvoked: 200,
    durationInMilliseconds: 3_600_000,
  },
  { memorySizeInMb: 1024, diskSizeInMb: 512, lambdasInvoked: 0, durationInMilliseconds: 0 },
];

describe("the studio's Remotion Lambda price (the browser cannot load @remotion/lambda/client)", () => {
  it('has the rates the installed Remotion charges, for every region it deploys to', () => {
    // On a Remotion upgrade: node --import tsx scripts/remotion-lambda-rates.ts --write
    expect(REMOTION_LAMBDA_RATES).toEqual(deriveAllRemotionLambdaRates());
    expect(Object.keys(REMOTION_LAMBDA_RATES).sort()).toEqual([...getRegions()].sort());
  });

  it("gives estimatePrice's answer in every region for renders small and large", () => {
    for (const region of getRegions())
      for (const input of INPUTS) {
        const full = { region, ...input } as Input;
        expect({
          region,
          ...input,
          usd: estimateRemotionLambdaPrice(
            full as Parameters<typeof estimateRemotionLambdaPrice>[0],
          ),
        }).toEqual({
          region,
          ...input,
          usd: estimatePrice(full),
        });
      }
  });

  it('refuses an unknown region and a negative duration, saying what it got', () => {
    const input = INPUTS[0]!;
    expect(() =>
      estimateRemotionLambdaPrice({ ...input, region: 'mars-north-1' as 'us-east-1' }),
    ).toThrow(/no price for region mars-north-1; expected one of .*us-east-1/);
    expect(() =>
      estimateRemotionLambdaPrice({ ...input, region: 'us-east-1', durationInMilliseconds: -1 }),
    ).toThrow('durationInMilliseconds must be a finite number of at least 0, but got -1');
  });
});
