import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';

/**
 * Signs the parameters the splash page carries in hidden fields, so that "Sambungkan" only creates a grant for
 * parameters the portal itself validated and rendered, unchanged, within the form's lifetime. It does not prove
 * they came from a router (anyone can post to the splash route); the login URL is checked on its own
 * (router-url.ts) and the MAC is checked by RADIUS against Calling-Station-Id.
 */
export class FormSigner {
  constructor(private readonly key: Buffer, private readonly lifetimeMs = 30 * 60_000) {}

  sign(fields: Record<string, string>, now = Date.now()): string {
    const expires = now + this.lifetimeMs;
    return `${expires}.${this.mac(fields, expires)}`;
  }

  verify(fields: Record<string, string>, token: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    const m = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return 'invalid';
    const expires = Number(m[1]);
    const expected = Buffer.from(this.mac(fields, expires));
    const given = Buffer.from(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return expires < now ? 'expired' : 'ok';
  }

  /** HMAC-SHA256 of the expiry and then, by name, each field as "\0name\0value" (handed to it in one piece). */
  private mac(fields: Record<string, string>, expires: number): string {
    let text = String(expires);
    for (const k of Object.keys(fields).sort()) text += `\0${k}\0${fields[k]}`;
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/** The signing key is shared through Redis so that every Limpah process accepts every other's forms. */
export async function loadFormKey(redis: Redis, keys: Keys): Promise<Buffer> {
  const key = keys.formKey();
  await redis.set(key, randomBytes(32).toString('base64'), 'NX');
  const value = await redis.get(key);
  if (!value) throw new Error('portal form key missing from Redis');
  return Buffer.from(value, 'base64');
}
