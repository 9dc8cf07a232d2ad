// Cron schedules as CronJobs take them (robfig/cron's standard parser, which upstream uses):
// five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps, month and
// weekday names, `?`, and the descriptors @yearly @annually @monthly @weekly @daily @midnight
// @hourly. Shared by CronJob validation and the CronJob controller (next run times).

export class CronSyntaxError extends Error {}

export interface CronSchedule {
  /** The first run time strictly after `after`, in timeZone (IANA name; UTC when absent). */
  next(after: Date, timeZone?: string): Date;
}

interface FieldSpec {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const weekdays = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldSpecs: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: weekdays },
];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface ParsedField {
  values: Set<number>;
  /** Written as `*` or `?`: matters for how day-of-month and day-of-week combine. */
  star: boolean;
}

/** Parses a schedule; throws CronSyntaxError with robfig/cron's wording on a bad one. */
export function parseCron(expr: string): CronSchedule {
  let spec = expr.trim();
  if (spec.length === 0) throw new CronSyntaxError('empty spec string');
  // robfig/cron accepts a leading TZ=Zone or CRON_TZ=Zone (CronJob validation then refuses it).
  const tz = /^(?:CRON_)?TZ=(\S+)\s*/.exec(spec);
  if (tz) {
    if (!isKnownTimeZone(tz[1])) throw new CronSyntaxError(`provided bad location ${tz[1]}: unknown time zone ${tz[1]}`);
    spec = spec.slice(tz[0].length);
    const inner = parseCron(spec);
    return { next: (after, timeZone) => inner.next(after, timeZone ?? tz[1]) };
  }
  if (spec.startsWith('@')) {
    const every = /^@every\s+(.+)$/.exec(spec);
    if (every) return everySchedule(every[1]);
    const expanded = descriptors[spec.toLowerCase()];
    if (!expanded) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
    return fieldSchedule(expanded.split(' ').map((f, i) => parseField(f, fieldSpecs[i])));
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5) throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return fieldSchedule(fields.map((f, i) => parseField(f, fieldSpecs[i])));
}

function parseField(field: string, spec: FieldSpec): ParsedField {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [rangeText, stepText, ...rest] = part.split('/');
    if (rest.length > 0) throw new CronSyntaxError(`too many slashes: ${part}`);
    let start: number;
    let end: number;
    let partStar = false;
    if (rangeText === '*' || rangeText === '?') {
      start = spec.min;
      end = spec.max;
      partStar = true;
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) throw new CronSyntaxError(`too many hyphens: ${part}`);
      start = parseValue(bounds[0], spec);
      end = bounds.length === 2 ? parseValue(bounds[1], spec) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = parseIntStrict(stepText);
      if (step <= 0) throw new CronSyntaxError(`step of range should be a positive number: ${part}`);
      // "N/step" means "N through the maximum, every step".
      if (!partStar && !rangeText.includes('-')) end = spec.max;
      if (step > 1) partStar = false;
    }
    if (start < spec.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${spec.min}): ${part}`);
    if (end > spec.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${spec.max}): ${part}`);
    if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= partStar;
  }
  return { values, star };
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.[text.toLowerCase()];
  return named ?? parseIntStrict(text);
}

function parseIntStrict(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new CronSyntaxError(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function everySchedule(text: string): CronSchedule {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  const seconds = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0;
  if (!m || seconds <= 0) throw new CronSyntaxError(`failed to parse duration @every ${text}: time: invalid duration ${JSON.stringify(text)}`);
  // robfig rounds @every below a second up to one second; whole seconds only, from `after`.
  return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + seconds * 1000) };
}

const minute = 60_000;
// A schedule such as "0 0 30 2 *" never fires: give up after this many years, as robfig does (5).
const searchYears = 5;

function fieldSchedule([minutes, hours, dom, month, dow]: ParsedField[]): CronSchedule {
  const dayMatches = (d: Date): boolean => {
    const domOk = dom.values.has(d.getUTCDate());
    const dowOk = dow.values.has(d.getUTCDay());
    // Both restricted: either may match (classic cron); one is `*`: both must.
    return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
  };
  return {
    next(after: Date, timeZone?: string): Date {
      const zone = timeZone && timeZone !== 'UTC' ? timeZone : undefined;
      // Search in wall-clock time of the zone, held in a Date's UTC fields.
      let wall = Math.floor(wallTime(after.getTime(), zone) / minute) * minute + minute;
      const limit = wall + searchYears * 366 * 24 * 60 * minute;
      while (wall <= limit) {
        const d = new Date(wall);
        if (!month.values.has(d.getUTCMonth() + 1)) {
          wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
          continue;
        }
        if (!dayMatches(d)) {
          wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
          continue;
        }
        if (!hours.values.has(d.getUTCHours())) {
          wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
          continue;
        }
        if (!minutes.values.has(d.getUTCMinutes())) {
          wall += minute;
          continue;
        }
        const instant = instantOf(wall, zone);
        // A wall time repeated when clocks go back maps to an instant we may already have passed.
        if (instant > after.getTime()) return new Date(instant);
        wall += minute;
      }
      return new Date(Number.NaN);
    },
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time in zone at an instant, as milliseconds of a UTC Date. */
function wallTime(instant: number, zone: string | undefined): number {
  if (!zone) return instant;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant % 1000);
}

/**
 * The instant at which zone's clocks show wall. Of two (clocks going back) the earlier; of none
 * (a gap when clocks go forward) the moment right after the gap, as Go's time.Date gives.
 */
function instantOf(wall: number, zone: string | undefined): number {
  if (!zone) return wall;
  const offsets = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) offsets.add(wallTime(probe, zone) - probe);
  const candidates = [...offsets].map((o) => wall - o).sort((a, b) => a - b);
  const exact = candidates.filter((c) => wallTime(c, zone) === wall);
  return exact.length > 0 ? exact[0] : candidates[candidates.length - 1];
}

/** Whether Intl knows the IANA zone (the runtime's tz database stands in for Go's). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}
