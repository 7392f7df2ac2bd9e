import { hhmm } from '../pool/capacity';
import type { RefusalReason } from '../pool/pool';

/**
 * The Reply-Message of each refusal, in Bahasa Indonesia: what happened and what to do. MikroTik shows it on its
 * login page as $(error), which the portal displays. Kept short: RouterOS shows the text as it is.
 */
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

/** "Hotspot ini sedang tutup. Buka lagi Senin pukul 08.00 WIB." from the next opening. */
export function closedHoursMessage(next: { weekday: number; minute: number; today: boolean } | null): string {
  if (!next) return REPLY_MESSAGES.closed_hours;
  const when = next.today ? 'hari ini' : HARI[next.weekday];
  return `Hotspot ini sedang tutup. Buka lagi ${when} pukul ${hhmm(next.minute)} WIB.`;
}

/**
 * Pool full, with when to come back: during office hours, the time they end today (agencies leave most
 * capacity after them); otherwise in a quarter of an hour, when other citizens' sessions have ended.
 */
export function poolFullMessage(officeEndMinute: number | null): string {
  if (officeEndMinute === null) return REPLY_MESSAGES.pool_full;
  return `Kapasitas internet gratis sedang dipakai kantor pemerintah. Coba lagi setelah jam kantor, pukul ${hhmm(officeEndMinute)} WIB.`;
}
