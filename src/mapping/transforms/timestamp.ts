import { z } from 'zod';
import { isValidDate } from '../../core/canonical.js';
import { type CivilDateTime, civilFromMs, msFromCivil, pad, Zone } from './civil-time.js';
import { type CompiledPattern, compilePattern, type DateTimeFields, ISO_DATETIME } from './date-pattern.js';
import { timeZoneName } from './params.js';
import { readDateTime } from './pattern-match.js';
import { type CompileContext, single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const timestampParams = z
  .strictObject({
    /** Tried in order (see date-pattern.ts for tokens); default: ISO 8601 and SQL text. */
    formats: z.array(z.string().min(1)).min(1).optional(),
    /** Zone of naive input; default: the run's `timeZone` (the source's zone), else UTC. */
    zone: timeZoneName.optional(),
    /** `timestamptz`: UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`; `timestamp`: naive `YYYY-MM-DD HH:MM:SS.ffffff`. */
    output: z.enum(['timestamptz', 'timestamp']).default('timestamptz'),
    /** Zone the naive output is written in; default: `zone`. */
    output_zone: timeZoneName.optional(),
    /** A local time that occurs twice (DST ends): pick one, or reject. */
    on_ambiguous: z.enum(['earlier', 'later', 'reject']).default('earlier'),
    /** A local time that never occurs (DST starts): reject, or move forward by the gap. */
    on_nonexistent: z.enum(['reject', 'shift_forward']).default('reject'),
    zero_date: z.enum(['null', 'reject']).default('null'),
    century_pivot: z.number().int().default(1970),
  })
  .default({ output: 'timestamptz', on_ambiguous: 'earlier', on_nonexistent: 'reject', zero_date: 'null', century_pivot: 1970 });

type TimestampParams = z.output<typeof timestampParams>;

interface Plan {
  readonly patterns: readonly CompiledPattern[];
  readonly declared: boolean;
  readonly zone: Zone;
  readonly outputZone: Zone;
}

function planOf(params: TimestampParams, ctx: CompileContext): Plan {
  const zone = new Zone(params.zone ?? ctx.timeZone ?? 'UTC');
  return {
    patterns: params.formats ? params.formats.map((f) => compilePattern(f, params.century_pivot)) : [ISO_DATETIME],
    declared: params.formats !== undefined,
    zone,
    outputZone: params.output_zone ? new Zone(params.output_zone) : zone,
  };
}

const PLAIN_DATETIME = /^((\d{4})-(\d{2})-(\d{2}))[T ]((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.(\d{1,6}))?$/;

function fraction6(fraction: string): string {
  return fraction.length >= 6 ? fraction.slice(0, 6) : fraction.padEnd(6, '0');
}

function naiveText(t: CivilDateTime, fraction: string): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${fraction6(fraction)}`;
}

function utcText(t: CivilDateTime, fraction: string): string {
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${fraction6(fraction)}Z`;
}

/** The instant of parsed fields: their own offset if they carry one, else read in `zone`. */
function instantOf(params: TimestampParams, zone: Zone, f: DateTimeFields, raw: string | null): number {
  const local = msFromCivil(f);
  if (f.offsetMinutes !== undefined) return local - f.offsetMinutes * 60_000;
  const resolved = zone.toUtc(local, params.on_ambiguous, params.on_nonexistent);
  if ('problem' in resolved) throw new TransformError('timestamp', resolved.problem, raw, `in ${zone.name}`);
  return resolved.ms;
}

/**
 * Text to a timestamp, read in a declared source zone and converted with the zone's real
 * offsets (`Intl`, DST included), never with the process zone. Seconds are converted as whole
 * milliseconds; the fraction is carried as text, so microseconds are kept exactly.
 */
export const timestamp: TransformDefinition<TimestampParams> = {
  name: 'timestamp',
  usage:
    'timestamp: { formats?: ["MM/DD/YYYY HH:mm"], zone?: America/New_York, output?: timestamptz | timestamp, output_zone?, on_ambiguous?: earlier | later | reject, on_nonexistent?: reject | shift_forward }',
  params: timestampParams,
  compile: (params, ctx) => {
    const { patterns, declared, zone, outputZone } = planOf(params, ctx);
    const toUtc = params.output === 'timestamptz';
    // SQL/ISO text of a real date and time of day, no zone, at most 6 fraction digits (what SQL
    // sources hand over): read in UTC to timestamptz, or naive to naive in the same zone, the
    // output is the same fields, so they are only re-punctuated. Anything else: the full path.
    const plainUtc = !declared && toUtc && zone.name === 'UTC';
    const plainNaive = !declared && !toUtc && outputZone === zone;
    return single((value) => {
      const text = textOf('timestamp', value).trim();
      if (isBlankText(text)) return null;
      if (plainUtc || plainNaive) {
        const m = PLAIN_DATETIME.exec(text);
        if (m && Number(m[2]) >= 1 && isValidDate(Number(m[2]), Number(m[3]), Number(m[4]))) {
          const fraction = fraction6(m[6] ?? '');
          return plainUtc ? `${m[1]}T${m[5]}.${fraction}Z` : `${m[1]} ${m[5]}.${fraction}`;
        }
      }
      const f = readDateTime('timestamp', value, text, patterns, declared, params.zero_date);
      if (f === null) return null;
      // Naive in, naive out, same zone: nothing to convert (and no DST question to ask).
      if (!toUtc && f.offsetMinutes === undefined && outputZone === zone) return naiveText(f, f.fraction);
      const ms = instantOf(params, zone, f, text);
      return toUtc ? utcText(civilFromMs(ms), f.fraction) : naiveText(civilFromMs(ms + outputZone.offsetAt(ms)), f.fraction);
    });
  },
  /** The canonical output back to text in the first declared pattern (default ISO), in `zone`. */
  inverse: (params, ctx) => {
    const { zone, outputZone } = planOf(params, ctx);
    const pattern = params.formats ? compilePattern(params.formats[0], params.century_pivot) : ISO_DATETIME;
    return single((value) => {
      const text = textOf('timestamp', value).trim();
      const f = readDateTime('timestamp', value, text, [ISO_DATETIME], true, 'reject');
      if (f === null) return null;
      const ms = instantOf(params, outputZone, f, text);
      const offset = zone.offsetAt(ms);
      const local = civilFromMs(ms + offset);
      return pattern.format({ ...local, fraction: f.fraction, offsetMinutes: offset / 60_000 });
    });
  },
};
