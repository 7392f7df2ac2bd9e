import type { OfficeHours } from './config/site';
import { hhmm, nextOpening, officeHoursEnd } from './pool/capacity';
import type { Keys } from './redis/keys';
import type { RedisClient as Redis } from './redis/client';

/**
 * Every reason a login can be refused, in one place: the list (the admission script, `admit-8.lua`, returns these
 * codes; `test/unit/refusals.test.ts` checks it returns no other), what the portal still offers after each, when to
 * come back, and the words: RADIUS's Reply-Message (Indonesian; RouterOS shows it as it is) and the portal's page
 * in both languages.
 */
export const REFUSAL_REASONS = [
  'grant_invalid', 'mac_mismatch', 'hotspot_unknown', 'closed_hours', 'daily_limit', 'hotspot_full', 'pool_full',
  'voucher_invalid', 'voucher_expired', 'voucher_used_up', 'hotspot_disabled', 'device_blocked',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export function isRefusalReason(code: string): code is RefusalReason {
  return (REFUSAL_REASONS as readonly string[]).includes(code);
}

interface RefusalPolicy {
  /**
   * Kept for the portal to explain: a reason only a login through the portal (with a grant of this device) can get.
   * The others (no such grant, a wrong password, another device's grant) are what made-up requests get.
   */
  readonly kept: boolean;
  /** What still makes sense on the page after it: free access, a voucher. */
  readonly offersClick: boolean;
  readonly offersVoucher: boolean;
}

const ANYTHING = { offersClick: true, offersVoucher: true };
const NOTHING = { offersClick: false, offersVoucher: false };
export const REFUSAL_POLICY: Readonly<Record<RefusalReason, RefusalPolicy>> = Object.freeze({
  grant_invalid: { kept: false, ...ANYTHING },
  mac_mismatch: { kept: false, ...ANYTHING },
  hotspot_unknown: { kept: false, ...ANYTHING },
  closed_hours: { kept: true, ...NOTHING },
  daily_limit: { kept: true, offersClick: false, offersVoucher: true },
  hotspot_full: { kept: true, ...ANYTHING },
  pool_full: { kept: true, ...ANYTHING },
  voucher_invalid: { kept: true, ...ANYTHING },
  voucher_expired: { kept: true, ...ANYTHING },
  voucher_used_up: { kept: true, ...ANYTHING },
  hotspot_disabled: { kept: true, ...NOTHING },
  device_blocked: { kept: true, ...NOTHING },
});

/** When to come back, where it can be said more precisely than the reason's own words. */
export type ComeBack = { readonly opens: { weekday: number; minute: number; today: boolean } } | { readonly afterOffice: number } | null;

/**
 * When a closed hotspot opens again (its opening hours), or when the agencies' office hours end while they use the
 * capacity: one reading for RADIUS and the portal.
 */
export async function readComeBack(redis: Redis, keys: Keys, reason: RefusalReason, hotspotId: string, nowMs: number): Promise<ComeBack> {
  if (reason === 'closed_hours') {
    const json = await redis.hget(keys.hotspot(hotspotId), 'openingHours');
    const next = json ? nextOpening(JSON.parse(json) as OfficeHours, nowMs) : null;
    return next ? { opens: next } : null;
  }
  if (reason === 'pool_full') {
    const json = await redis.hget(keys.site(), 'officeHours');
    const end = json ? officeHoursEnd(JSON.parse(json) as OfficeHours, nowMs) : null;
    return end === null ? null : { afterOffice: end };
  }
  return null;
}

/** RADIUS's Reply-Message for each refusal: what happened and what to do, short. */
export const REPLY_MESSAGES: Readonly<Record<RefusalReason | 'system_error', string>> = Object.freeze({
  grant_invalid: 'Kode masuk sudah kedaluwarsa atau sudah dipakai. Buka halaman WiFi lagi dan tekan Sambungkan.',
  mac_mismatch: 'Kode masuk dibuat untuk perangkat lain. Buka halaman WiFi lagi dari perangkat ini dan tekan Sambungkan.',
  hotspot_unknown: 'Hotspot ini belum terdaftar. Hubungi petugas Diskominfo.',
  closed_hours: 'Hotspot ini sedang tutup. Silakan kembali pada jam buka.',
  system_error: 'Sistem sedang bermasalah. Coba lagi dalam beberapa menit.',
  daily_limit: 'Jatah internet harian Anda sudah habis. Silakan kembali besok mulai pukul 00.00 WIB.',
  hotspot_full: 'Hotspot sedang penuh. Coba lagi dalam 10-15 menit, saat pengguna lain selesai.',
  pool_full: 'Kapasitas internet gratis sedang habis terpakai. Coba lagi dalam 15 menit.',
  voucher_invalid: 'Voucher tidak berlaku. Periksa kodenya atau minta voucher baru ke petugas.',
  voucher_expired: 'Masa berlaku voucher sudah habis. Minta voucher baru ke petugas.',
  voucher_used_up: 'Kuota voucher sudah habis. Minta voucher baru ke petugas.',
  hotspot_disabled: 'Hotspot ini sedang dinonaktifkan oleh Diskominfo. Coba hotspot lain.',
  device_blocked: 'Perangkat ini diblokir sementara oleh petugas. Hubungi petugas di lokasi.',
});

const HARI = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];

/** The Reply-Message for a refusal, with when to come back where it is known. */
export function replyMessage(reason: RefusalReason, comeBack: ComeBack): string {
  if (comeBack && 'opens' in comeBack) {
    const when = comeBack.opens.today ? 'hari ini' : HARI[comeBack.opens.weekday];
    return `Hotspot ini sedang tutup. Buka lagi ${when} pukul ${hhmm(comeBack.opens.minute)} WIB.`;
  }
  if (comeBack && 'afterOffice' in comeBack) {
    return `Kapasitas internet gratis sedang dipakai kantor pemerintah. Coba lagi setelah jam kantor, pukul ${hhmm(comeBack.afterOffice)} WIB.`;
  }
  return REPLY_MESSAGES[reason];
}

/** Whether a text a router passed on is one of Limpah's own Reply-Messages (anything else is not shown as it is). */
export function isOwnReplyMessage(text: string): boolean {
  return /^Hotspot ini sedang tutup\. Buka lagi (hari ini|Minggu|Senin|Selasa|Rabu|Kamis|Jumat|Sabtu) pukul \d\d\.\d\d WIB\.$/.test(text)
    || /^Kapasitas internet gratis sedang dipakai kantor pemerintah\. Coba lagi setelah jam kantor, pukul \d\d\.\d\d WIB\.$/.test(text)
    || (Object.values(REPLY_MESSAGES) as string[]).includes(text);
}

export interface RefusalText {
  readonly title: string;
  readonly body: string;
  readonly when: string;
}

/** The portal's page for each refusal, in both languages; `{time}` and `{day}` are filled from ComeBack. */
export const REFUSAL_TEXTS = Object.freeze({
  id: {
    reasons: {
      grant_invalid: { title: 'Belum tersambung', body: 'Kode masuk sudah kedaluwarsa atau sudah dipakai.', when: 'Tekan tombol di bawah untuk mencoba lagi sekarang.' },
      mac_mismatch: { title: 'Belum tersambung', body: 'Kode masuk dibuat untuk perangkat lain.', when: 'Tekan tombol di bawah dari perangkat ini.' },
      hotspot_unknown: { title: 'Hotspot belum terdaftar', body: 'Router ini belum terdaftar di sistem.', when: 'Beri tahu petugas atau Diskominfo.' },
      closed_hours: { title: 'Hotspot sedang tutup', body: 'WiFi gratis di lokasi ini hanya menyala pada jam buka.', when: 'Silakan kembali pada jam buka.' },
      daily_limit: { title: 'Jatah hari ini sudah habis', body: 'Perangkat ini sudah memakai seluruh jatah internet gratis hari ini.', when: 'Jatah baru mulai besok pukul 00.00 WIB. Dengan voucher, Anda tetap bisa tersambung.' },
      hotspot_full: { title: 'Hotspot sedang penuh', body: 'Semua tempat di hotspot ini sedang dipakai.', when: 'Coba lagi dalam 10–15 menit, saat pengguna lain selesai.' },
      pool_full: { title: 'Kapasitas sedang habis', body: 'Kapasitas internet gratis sedang dipakai seluruhnya.', when: 'Coba lagi dalam 15 menit.' },
      voucher_invalid: { title: 'Voucher tidak berlaku', body: 'Voucher ini sudah dibatalkan atau tidak dikenal.', when: 'Minta voucher baru ke petugas.' },
      voucher_expired: { title: 'Voucher sudah berakhir', body: 'Masa berlaku voucher ini sudah habis.', when: 'Minta voucher baru ke petugas.' },
      voucher_used_up: { title: 'Kuota voucher habis', body: 'Seluruh kuota voucher ini sudah terpakai.', when: 'Minta voucher baru ke petugas.' },
      hotspot_disabled: { title: 'Hotspot dinonaktifkan', body: 'Diskominfo sedang menonaktifkan hotspot ini.', when: 'Coba hotspot lain di dekat sini.' },
      device_blocked: { title: 'Perangkat diblokir sementara', body: 'Petugas memblokir perangkat ini untuk sementara.', when: 'Hubungi petugas di lokasi.' },
    } satisfies Record<RefusalReason, RefusalText>,
    opensToday: 'Buka lagi hari ini pukul {time} WIB.',
    opensOn: 'Buka lagi hari {day} pukul {time} WIB.',
    afterOffice: 'Kantor pemerintah sedang memakai kapasitasnya. Coba lagi setelah pukul {time} WIB.',
  },
  en: {
    reasons: {
      grant_invalid: { title: 'Not connected yet', body: 'The login code has expired or was already used.', when: 'Press the button below to try again now.' },
      mac_mismatch: { title: 'Not connected yet', body: 'The login code was made for another device.', when: 'Press the button below on this device.' },
      hotspot_unknown: { title: 'Hotspot not registered', body: 'This router is not registered in the system.', when: 'Please tell the staff or Diskominfo.' },
      closed_hours: { title: 'The hotspot is closed', body: 'The free WiFi here only runs during opening hours.', when: 'Please come back during opening hours.' },
      daily_limit: { title: "Today's allowance is used up", body: 'This device has used all of its free internet for today.', when: 'A new allowance starts tomorrow at 00.00 WIB. With a voucher you can still connect.' },
      hotspot_full: { title: 'The hotspot is full', body: 'Every place at this hotspot is in use.', when: 'Try again in 10–15 minutes, when others have finished.' },
      pool_full: { title: 'No capacity left right now', body: 'All of the free internet capacity is in use.', when: 'Try again in 15 minutes.' },
      voucher_invalid: { title: 'Voucher not valid', body: 'This voucher was cancelled or is unknown.', when: 'Ask the staff for a new voucher.' },
      voucher_expired: { title: 'Voucher has ended', body: 'This voucher is past its validity.', when: 'Ask the staff for a new voucher.' },
      voucher_used_up: { title: 'Voucher data used up', body: "All of this voucher's data has been used.", when: 'Ask the staff for a new voucher.' },
      hotspot_disabled: { title: 'Hotspot switched off', body: 'Diskominfo has switched this hotspot off for now.', when: 'Try another hotspot nearby.' },
      device_blocked: { title: 'Device blocked for now', body: 'The staff have blocked this device for a while.', when: 'Please talk to the staff here.' },
    } satisfies Record<RefusalReason, RefusalText>,
    opensToday: 'Opens again today at {time} WIB.',
    opensOn: 'Opens again on {day} at {time} WIB.',
    afterOffice: 'Government offices are using their capacity. Try again after {time} WIB.',
  },
});
