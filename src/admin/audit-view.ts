import { auditChanges, type AuditEntry } from './audit';
import type { Formatter } from './format';
import type { AdminMessages } from './i18n';
import { fieldLabel } from './problems';

/**
 * An audit entry as an operator reads it: the action and the changed fields in words, hotspots and agencies by
 * name, times in WIB, yes/no for flags. The log itself keeps the codes, ids and milliseconds (the API answers
 * those); only the console's page translates them.
 */
export interface AuditRow {
  readonly when: string;
  readonly actor: string;
  readonly via: string;
  readonly action: string;
  readonly target: string;
  readonly changes: ReadonlyArray<{ field: string; before: string; after: string }>;
}

export interface AuditNames {
  readonly hotspots: ReadonlyMap<string, string>;
  readonly agencies: ReadonlyMap<string, string>;
}

/** A field that holds an instant in ms: `until`, `at`, `createdAt`, `redeemBy`... */
const INSTANT = /(^|\.)(until|at|redeemBy|[a-z]+At)$/;

function value(json: string, field: string, a: AdminMessages, fmt: Formatter, names: AuditNames): string {
  if (json === '—') return '—';
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return json;
  }
  const last = field.split('.').pop() ?? field;
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? a.yes : a.no;
  if (typeof v === 'number') return INSTANT.test(field) && v > 1e12 ? fmt.when(v) : fmt.num(v, 3);
  if (typeof v === 'string') {
    const words: Record<string, Record<string, string>> = {
      kind: a.kinds, role: a.roles, status: a.vouchers.status, state: a.sessions.states, result: a.audit.results, source: a.audit.sources,
      rateChange: a.hotspots.rateChanges, type: a.hotspots.routerTypes,
    };
    if (last === 'hotspotId') return names.hotspots.get(v) ?? v;
    return words[last]?.[v] ?? v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    const item = (x: unknown) => {
      if (typeof x !== 'object' || x === null) return String(x);
      const o = x as Record<string, unknown>;
      return String(o['identifier'] ?? o['name'] ?? o['id'] ?? JSON.stringify(x));
    };
    return v.map((x) => (last === 'hotspots' && typeof x === 'string' ? names.hotspots.get(x) ?? x : last === 'agencies' && typeof x === 'string' ? names.agencies.get(x) ?? x : item(x))).join(', ');
  }
  return JSON.stringify(v);
}

function label(field: string, a: AdminMessages): string {
  const parts = field.split('.');
  const day = parts[0] === 'openingHours' ? (a.hotspots.weekdays as Record<string, string>)[parts[1] ?? ''] : undefined;
  if (day) return `${fieldLabel('openingHours', a)} ${day}`;
  if (parts[0] === 'scope' && parts[1]) return `${fieldLabel('scope', a)}: ${fieldLabel(parts[1], a)}`;
  return fieldLabel(parts[parts.length - 1] ?? field, a);
}

function target(raw: string, a: AdminMessages, names: AuditNames): string {
  const at = raw.indexOf(':');
  if (at < 0) return raw;
  const kind = raw.slice(0, at);
  const id = raw.slice(at + 1);
  const name = kind === 'hotspot' ? names.hotspots.get(id) ?? id : kind === 'agency' ? names.agencies.get(id) ?? id : id;
  return `${a.audit.targets[kind] ?? kind} ${name}`;
}

export function auditRows(entries: readonly AuditEntry[], a: AdminMessages, fmt: Formatter, names: AuditNames): AuditRow[] {
  return entries.map((e) => ({
    when: fmt.when(e.at),
    actor: e.actor,
    via: a.audit.via[e.via] ?? e.via,
    action: a.audit.actions[e.action] ?? e.action,
    target: target(e.target, a, names),
    changes: auditChanges(e.before, e.after).map((c) => ({
      field: label(c.field, a),
      before: value(c.before, c.field, a, fmt, names),
      after: value(c.after, c.field, a, fmt, names),
    })),
  }));
}

/** Whether an entry's object matches what was typed: its id or its name, in any letter case. */
export function targetMatches(raw: string, typed: string, a: AdminMessages, names: AuditNames): boolean {
  const q = typed.trim().toLowerCase();
  return !q || raw.toLowerCase().includes(q) || target(raw, a, names).toLowerCase().includes(q);
}
