/**
 * Freeze windows: periods in which changes to an environment are denied (a code freeze, a sale, a
 * holiday). A window is a dated range (`from`/`until`) or a recurring one (a five-field cron
 * expression for when it starts, and how long it lasts). All times are UTC. Pure: the time is an
 * argument.
 */
import { globMatch } from './environment.js';

/** A freeze window as configured (validated by the config schema). */
export interface FreezeWindow {
  readonly name: string;
  /** Environment names or globs (`prod`, `prod-*`). */
  readonly environments: readonly string[];
  readonly from?: string | undefined;
  readonly until?: string | undefined;
  /** Cron expression (minute hour day-of-month month day-of-week, UTC) for when each window starts. */
  readonly cron?: string | undefined;
  /** How long each recurring window lasts, in milliseconds. */
  readonly durationMs?: number | undefined;
  readonly reason?: string | undefined;
}

/** The window in force, and when it ends. */
export interface ActiveFreeze {
  readonly name: string;
  readonly until: string;
  readonly reason: string | null;
}

/** A parsed cron expression: the allowed values of each field. */
export interface CronSpec {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Both day fields restricted: cron matches either (Vixie cron's rule). */
  readonly eitherDay: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;
const NAMES: Readonly<Record<string, number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/**
 * Parses a five-field cron expression (numbers, names like `fri`/`dec`, `*`, lists, ranges and
 * steps). Returns the spec, or an error message naming the bad field.
 */
export function parseCron(expression: string): CronSpec | string {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return `"${expression}" has ${parts.length} fields; cron needs five: minute hour day-of-month month day-of-week`;
  const sets: Set<number>[] = [];
  for (const [i, field] of FIELDS.entries()) {
    const set = new Set<number>();
    for (const item of (parts[i] as string).toLowerCase().split(',')) {
      const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (m === null) return `cron ${field.name} "${parts[i]}" is not a number, name, range, list or step`;
      const step = m[2] === undefined ? 1 : Number(m[2]);
      let lo: number = field.min;
      let hi: number = field.max;
      if (m[1] !== '*') {
        const [a, b] = (m[1] as string).split('-');
        const num = (t: string | undefined): number =>
          t === undefined ? Number.NaN : /^\d+$/.test(t) ? Number(t) : (NAMES[t] ?? Number.NaN);
        lo = num(a);
        hi = b === undefined ? (m[2] === undefined ? lo : field.max) : num(b);
      }
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < field.min || hi > field.max || lo > hi || step < 1) {
        return `cron ${field.name} "${item}" is outside ${field.min}-${field.max}`;
      }
      for (let v = lo; v <= hi; v += step) set.add(field.name === 'day of week' && v === 7 ? 0 : v);
    }
    sets.push(set);
  }
  const [minutes, hours, days, months, weekdays] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { minutes, hours, days, months, weekdays, eitherDay: parts[2] !== '*' && parts[4] !== '*' };
}

/** True when the minute containing `t` (UTC) matches the spec. */
export function cronMatches(spec: CronSpec, t: Date): boolean {
  if (!spec.minutes.has(t.getUTCMinutes()) || !spec.hours.has(t.getUTCHours()) || !spec.months.has(t.getUTCMonth() + 1)) return false;
  const dom = spec.days.has(t.getUTCDate());
  const dow = spec.weekdays.has(t.getUTCDay());
  return spec.eitherDay ? dom || dow : dom && dow;
}

const MINUTE = 60_000;
/** Recurring windows longer than this are refused by the config (the look-back is bounded). */
export const MAX_RECURRING_MS = 31 * 24 * 60 * MINUTE;

/**
 * The freeze in force for `environment` at `now`, or null. A recurring window is in force when it
 * started (a cron match) less than its duration ago; the latest start wins.
 */
export function activeFreeze(windows: readonly FreezeWindow[], environment: string, now: Date): ActiveFreeze | null {
  const t = now.getTime();
  for (const w of windows) {
    if (!w.environments.some((p) => globMatch(p, environment))) continue;
    if (w.cron === undefined) {
      const from = w.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(w.from);
      const until = w.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(w.until);
      if (t >= from && t < until) return { name: w.name, until: w.until ?? 'further notice', reason: w.reason ?? null };
      continue;
    }
    const duration = w.durationMs ?? 0;
    const start = latestStart(w.cron, duration, t);
    if (start !== null) return { name: w.name, until: new Date(start + duration).toISOString(), reason: w.reason ?? null };
  }
  return null;
}

const specs = new Map<string, CronSpec | string>();
/** Last answer per window, by the minute it was computed for: decisions in the same minute reuse it. */
const starts = new Map<string, { readonly minute: number; readonly start: number | null }>();

/** The latest cron match within `duration` before `t` (ms), or null. Cached per minute. */
function latestStart(cron: string, duration: number, t: number): number | null {
  let spec = specs.get(cron);
  if (spec === undefined) {
    spec = parseCron(cron);
    specs.set(cron, spec);
  }
  if (typeof spec === 'string' || duration <= 0) return null;
  const minute = Math.floor(t / MINUTE) * MINUTE;
  const key = `${cron}|${duration}`;
  const cached = starts.get(key);
  if (cached !== undefined && cached.minute === minute) return cached.start !== null && t < cached.start + duration ? cached.start : null;
  let start: number | null = null;
  for (let s = minute; s > t - duration; s -= MINUTE) {
    if (cronMatches(spec, new Date(s))) {
      start = s;
      break;
    }
  }
  if (starts.size > 1000) starts.clear();
  starts.set(key, { minute, start });
  return start;
}
