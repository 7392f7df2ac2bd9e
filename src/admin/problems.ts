import type { z } from 'zod';
import type { AdminMessages } from './i18n';
import type { AdminError } from './errors';

/**
 * What the console says when a change is refused, in its reader's language: the AdminError's own text when it
 * names one (AdminError.says), each refused form field by its label when a schema refused it, else a plain
 * sentence for its code. The English message an AdminError carries is for the API and the logs; the console never
 * shows it, nor a field path such as "quota.minDownKbps".
 */
export function errorText(err: AdminError, a: AdminMessages): string {
  if (err.issues?.length) {
    // A weekday whose times are not times says only that, not also that its end is not after its start.
    const badTimes = new Set(err.issues.filter((i) => i.code === 'invalid_format' && i.path[0] === 'openingHours').map((i) => String(i.path[1])));
    const issues = err.issues.filter((i) => !(i.code === 'custom' && i.path[0] === 'openingHours' && badTimes.has(String(i.path[1]))));
    return [...new Set(issues.map((i) => issueText(i, a)))].join(' ');
  }
  if (err.text) return fill(a.errors[err.text.key], err.text.values);
  return a.errors[err.code];
}

export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** A field's label in the console's words: the hotspot form's own labels first, then the others. */
export function fieldLabel(name: string, a: AdminMessages): string {
  const hotspotFields = a.hotspots.fields as Record<string, string>;
  const fields = a.fields as Record<string, string>;
  return hotspotFields[name] ?? fields[name] ?? name;
}

const WEEKDAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** One refused field, e.g. "Unduh minimum (kbps) tidak boleh lebih besar dari Unduh per sesi (kbps)." */
export function issueText(issue: z.core.$ZodIssue, a: AdminMessages): string {
  const p = a.problems;
  const path = issue.path.map(String);
  // Opening hours are a weekday's [from, to]: name the day, not the field.
  const day = path[0] === 'openingHours' && path[1] && WEEKDAYS.has(path[1]) ? a.hotspots.weekdays[path[1] as keyof AdminMessages['hotspots']['weekdays']] : null;
  if (day) return fill(issue.code === 'invalid_format' ? p.time : p.endAfterStart, { day });
  const name = [...path].reverse().find((s) => !/^\d+$/.test(s)) ?? '';
  const field = fieldLabel(name, a);
  switch (issue.code) {
    case 'invalid_type':
      return fill(issue.expected === 'int' ? p.whole : issue.expected === 'number' ? p.number : p.invalid, { field });
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return fill(min <= 1 ? p.tooShort : p.tooShortN, { field, min });
      if (issue.origin === 'array') return fill(p.tooFew, { field, min });
      return fill(issue.inclusive ? p.atLeast : p.moreThan, { field, min });
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return fill(p.tooLong, { field, max });
      if (issue.origin === 'array') return fill(p.tooMany, { field, max });
      return fill(issue.inclusive ? p.atMost : p.lessThan, { field, max });
    }
    case 'invalid_value':
      return fill(p.chooseOne, { field });
    case 'invalid_union':
      return fill(name === 'ip' ? p.ip : p.invalid, { field });
    case 'invalid_format': {
      const formats = p.formats as Record<string, string>;
      return fill(formats[name] ?? p.format, { field });
    }
    case 'unrecognized_keys':
      return fill(p.unknown, { field: issue.keys.join(', ') });
    case 'custom':
      // The quota's two cross-field rules: a minimum above its ceiling.
      if (name === 'minDownKbps' || name === 'minUpKbps') return fill(p.notAbove, { field, other: fieldLabel(name === 'minDownKbps' ? 'downKbps' : 'upKbps', a) });
      return fill(p.invalid, { field });
    default:
      return fill(p.invalid, { field });
  }
}
