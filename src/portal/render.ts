import type { Response } from 'express';
import type { Messages } from './i18n/messages';

type ErrorKey = { [K in keyof Messages]: K extends `err${string}` ? K : never }[keyof Messages];

/** Renders the citizen's error page: what happened and what to do, in the request's language. */
export function renderError(res: Response, status: number, key: ErrorKey): void {
  const t = res.locals['t'] as Messages;
  res.status(status).render('error', { message: t[key] });
}
