import { z } from 'zod';

/** Parameters a NAS redirect carries: checked for shape, never trusted beyond it. */

export const httpUrl = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL');

export const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' || v === undefined || Array.isArray(v) ? undefined : v), schema.optional());

const DESTINATION = httpUrl(2048);

/** A destination after login: the page the citizen wanted if it is a plain http(s) URL, else our welcome page. */
export function destination(linkOrig: string | undefined, fallback: string): string {
  if (!linkOrig) return fallback;
  const ok = DESTINATION.safeParse(linkOrig);
  return ok.success ? linkOrig : fallback;
}

