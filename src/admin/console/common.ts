import type { Request, Response } from 'express';
import type { ConsoleSession } from '../auth';
import { AdminError } from '../errors';
import type { Formatter } from '../format';
import type { AdminMessages } from '../i18n';
import type { Actor } from '../operators';
import { errorText, fill } from '../problems';
import type { AdminDeps } from '../service';

/** What the console's pages share: the request's language and actor, form parsing, the flash and the confirmation step. */

export interface ConsoleDeps extends AdminDeps {
  readonly publicUrl: string;
}

export type Locals = { a: AdminMessages; fmt: Formatter; session: ConsoleSession; actor: Actor };

export function locals(res: Response): Locals {
  return res.locals as unknown as Locals;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
/** A list from a multiple select (an array, or one string) or a text field (comma- or line-separated). */
export function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,\n]+/) : [];
  return items.map((x) => String(x).trim()).filter(Boolean);
}
export function num(v: unknown): number {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}
export function form(req: Request): Record<string, unknown> {
  return req.body as Record<string, unknown>;
}

/** Back to a page after a change, with what happened in its flash. */
export function done(res: Response, path: string, text: string): void {
  res.redirect(303, `${path}${path.includes('?') ? '&' : '?'}msg=${encodeURIComponent(text)}`);
}

/**
 * Runs a form's action; when the service refuses it (AdminError), `page` shows the form again with the refusal in
 * the reader's language and its status. Anything else goes on to the error handler.
 */
export async function orRefused(res: Response, action: () => Promise<void>, page: (error: string, status: number) => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    await page(errorText(err, locals(res).a), err.status);
  }
}

/**
 * The step before a destructive action: without `confirmed=1` in the form the action is not done; a page says what
 * it will do and posts the same fields again with the confirmation, or goes back. A page rather than
 * window.confirm(): it works without JavaScript (the CSP runs scripts only by nonce, and the console needs none),
 * it can say what the click will do in a sentence, a screen reader meets it as a page with a heading, and the
 * keyboard reaches both choices. Returns whether the action may go ahead.
 */
export function confirmed(req: Request, res: Response, page: { title: string; body: string; button: string; back: string }): boolean {
  const b = form(req);
  if (b['confirmed'] === '1') return true;
  const fields = Object.entries(b).filter(([k, v]) => k !== '_csrf' && k !== 'confirmed' && typeof v === 'string') as Array<[string, string]>;
  res.render('admin/confirm', { ...page, action: req.originalUrl.split('?')[0], fields });
  return false;
}

/** Agencies' names by id, straight from the site's record (no capacity refresh, as listAgencies does). */
export async function agencyNames(deps: ConsoleDeps): Promise<Map<string, string>> {
  return new Map(Object.entries(await deps.redis.hgetall(deps.keys.agencies())).map(([id, json]) => [id, (JSON.parse(json) as { name?: string }).name ?? id]));
}

/** How an agency's claim was worked out, in words ("di luar jam kerja, dihitung 20% dari komitmen"). */
export async function basisText(deps: ConsoleDeps, res: Response): Promise<(basis: string) => string> {
  const { a, fmt } = locals(res);
  const fraction = Number((await deps.redis.hget(deps.keys.site(), 'outsideOfficeFraction')) ?? 0.2);
  return (basis: string) => fill((a.basis as Record<string, string>)[basis] ?? basis, { pct: fmt.num(fraction * 100, 0) });
}
