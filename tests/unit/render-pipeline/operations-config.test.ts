// The deploy-time settings of the operations view: who alarms reach (ALARM_EMAIL) and the daily cost that raises
// an alarm (DAILY_COST_ALARM_USD), validated where every other setting is, with what came and what to do.
import { describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';

describe('ALARM_EMAIL and DAILY_COST_ALARM_USD', () => {
  it('default to no email subscription and a 20 US dollar daily cost alarm, also when cleared to ""', () => {
    // Amplify Hosting keeps a cleared variable as "": it means unset, not an invalid address.
    for (const env of [{}, { ALARM_EMAIL: '', DAILY_COST_ALARM_USD: '' }]) {
      const config = readPipelineConfig(env);

      expect(config.alarmEmail).toBeUndefined();
      expect(config.dailyCostAlarmUsd).toBe(20);
    }
  });

  it('accept an email address and a positive amount with cents', () => {
    const config = readPipelineConfig({
      ALARM_EMAIL: 'ops@example.com',
      DAILY_COST_ALARM_USD: '12.5',
    });

    expect(config.alarmEmail).toBe('ops@example.com');
    expect(config.dailyCostAlarmUsd).toBe(12.5);
  });

  it('refuse a value that is not an email address, naming what came and where to fix it', () => {
    expect(() => readPipelineConfig({ ALARM_EMAIL: 'ops at example' })).toThrow(
      /ALARM_EMAIL must be an email address, but got "ops at example"\n.*Amplify Hosting → Environment variables/,
    );
  });

  it.each([
    ['twenty', /DAILY_COST_ALARM_USD must be a number of US dollars, such as 20, but got "twenty"/],
    ['0', /DAILY_COST_ALARM_USD must be more than 0 US dollars, but got "0"/],
    ['-5', /DAILY_COST_ALARM_USD must be more than 0 US dollars, but got "-5"/],
  ])('refuse DAILY_COST_ALARM_USD=%s', (value, message) => {
    expect(() => readPipelineConfig({ DAILY_COST_ALARM_USD: value })).toThrow(message);
  });
});
