/**
 * Kotawaringin Timur keeps WIB, UTC+7 all year (no daylight saving). Every WIB day and wall-clock reading in the
 * TypeScript code comes from here; the Lua scripts compute the same day as floor((unix seconds + 25200) / 86400).
 */
export const WIB_OFFSET_SEC = 7 * 3600;
export const WIB_OFFSET_MS = WIB_OFFSET_SEC * 1000;

/** The WIB day number since the epoch, as the ledger's per-day fields (`d<day>:s`, `d<day>:b`) name it. */
export function wibDay(nowMs: number): number {
  return Math.floor((nowMs + WIB_OFFSET_MS) / 86_400_000);
}

/** A Date whose UTC fields read as WIB wall-clock time (getUTCDay, getUTCHours, toISOString). */
export function wibClock(nowMs: number): Date {
  return new Date(nowMs + WIB_OFFSET_MS);
}
