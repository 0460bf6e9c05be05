// @vitest-environment node
// Node, not jsdom: the data contract imports @aws-amplify/backend, which refuses to load in a browser.
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_PROPS_BYTES, measurePropsBytes } from '../../src/lib/job-limits';

describe('job limits', () => {
  it('mirrors MAX_INPUT_PROPS_BYTES of the data contract', async () => {
    const contract = await import('../../amplify/data/resource');
    expect(MAX_INPUT_PROPS_BYTES).toBe(contract.MAX_INPUT_PROPS_BYTES);
  }, 60_000); // loading @aws-amplify/backend takes seconds

  it('measures props in UTF-8 bytes, as sent', () => {
    expect(measurePropsBytes({ a: 'é' })).toBe(JSON.stringify({ a: 'é' }).length + 1);
  });
});
