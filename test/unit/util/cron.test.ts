import { describe, expect, it } from 'vitest';
import { CronSyntaxError, isKnownTimeZone, parseCron } from '../../../src-main/util/cron.ts';

const next = (expr: string, after: string, tz?: string) => parseCron(expr).next(new Date(after), tz).toISOString();

describe('parseCron', () => {
  it('computes the next run for common schedules', () => {
    expect(next('* * * * *', '2024-01-01T00:00:30Z')).toBe('2024-01-01T00:01:00.000Z');
    expect(next('*/15 * * * *', '2024-01-01T00:15:00Z')).toBe('2024-01-01T00:30:00.000Z');
    expect(next('0 9 * * mon-fri', '2024-06-01T10:00:00Z')).toBe('2024-06-03T09:00:00.000Z');
    expect(next('30 2 1 jan,jul *', '2024-01-05T00:00:00Z')).toBe('2024-07-01T02:30:00.000Z');
    expect(next('@hourly', '2024-01-01T10:59:59Z')).toBe('2024-01-01T11:00:00.000Z');
    expect(next('@weekly', '2024-01-01T00:00:00Z')).toBe('2024-01-07T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('5/20 * * * *', '2024-01-01T00:06:00Z')).toBe('2024-01-01T00:25:00.000Z');
  });

  it('combines day-of-month and day-of-week with OR when both are restricted', () => {
    // The 15th or any Friday: from Wed 2024-05-01, Friday the 3rd comes first.
    expect(next('0 0 15 * 5', '2024-05-01T00:00:00Z')).toBe('2024-05-03T00:00:00.000Z');
    // A star in day-of-month makes day-of-week decide alone.
    expect(next('0 0 * * 5', '2024-05-01T00:00:00Z')).toBe('2024-05-03T00:00:00.000Z');
  });

  it('honours time zones, including daylight saving changes', () => {
    expect(next('0 9 * * *', '2024-07-01T00:00:00Z', 'Europe/Madrid')).toBe('2024-07-01T07:00:00.000Z');
    expect(next('0 9 * * *', '2024-01-10T00:00:00Z', 'Europe/Madrid')).toBe('2024-01-10T08:00:00.000Z');
    // 02:30 does not exist in New York on 2024-03-10: the run happens when the clocks reach 03:30.
    expect(next('30 2 * * *', '2024-03-09T12:00:00Z', 'America/New_York')).toBe('2024-03-10T07:30:00.000Z');
    // 01:30 happens twice on 2024-11-03: the first one runs.
    expect(next('30 1 * * *', '2024-11-03T04:00:00Z', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z');
  });

  it('refuses bad schedules with robfig/cron wording', () => {
    expect(() => parseCron('* * *')).toThrow('expected exactly 5 fields, found 3: [* * *]');
    expect(() => parseCron('60 * * * *')).toThrow('end of range (60) above maximum (59): 60');
    expect(() => parseCron('* * 0 * *')).toThrow('beginning of range (0) below minimum (1): 0');
    expect(() => parseCron('*/0 * * * *')).toThrow('step of range should be a positive number');
    expect(() => parseCron('@fortnightly')).toThrow('unrecognized descriptor: @fortnightly');
    expect(() => parseCron('a * * * *')).toThrow(CronSyntaxError);
    expect(() => parseCron('')).toThrow('empty spec string');
  });

  it('knows time zones', () => {
    expect(isKnownTimeZone('Europe/Madrid')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('a schedule with its own time zone', () => {
  it('uses TZ= when no time zone is given', () => {
    expect(next('TZ=Europe/Madrid 0 9 * * *', '2024-07-01T00:00:00Z')).toBe('2024-07-01T07:00:00.000Z');
    expect(() => parseCron('CRON_TZ=Nowhere/Land 0 9 * * *')).toThrow('unknown time zone Nowhere/Land');
  });
});
