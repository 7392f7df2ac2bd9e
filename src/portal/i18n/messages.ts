import { REFUSAL_TEXTS } from '../../refusals';
/**
 * Every string a citizen sees, in Bahasa Indonesia (default) and English. Templates read only from here.
 */
export const LOCALES = ['id', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const id = {
  lang: 'id',
  otherLang: 'en',
  otherLangName: 'English',
  appName: 'WiFi Publik Gratis',
  tagline: 'Internet gratis dari kapasitas kantor pemerintah yang sedang tidak terpakai.',
  connect: 'Sambungkan',
  connecting: 'Menyambungkan…',
  continueManually: 'Jika halaman tidak berpindah sendiri, tekan tombol ini:',
  continue: 'Lanjutkan',
  termsTitle: 'Ketentuan pemakaian',
  termsFree: 'Gratis, tanpa pendaftaran. Kecepatan dibagi adil dengan pengguna lain.',
  termsFreeLimits: 'Batas per perangkat: {session} per sambungan, {daily} dan {dailyMB} MB per hari.',
  termsVoucherOnly: 'Masuk dengan voucher dari petugas. Kecepatan dibagi adil dengan pengguna lain.',
  termsVoucherLimits: 'Dengan voucher, lama dan kuota pemakaian mengikuti voucher (tertera di kartunya).',
  termsHours: 'Jam buka: {hours} WIB.',
  termsRules: [
    'Dilarang untuk perjudian, pornografi, penipuan, dan pelanggaran hukum lainnya.',
    'Kami hanya mencatat alamat perangkat (MAC) dan pemakaian, untuk pembagian kuota; data dihapus setelah 7 hari.',
  ],
  acceptNote: 'Dengan menekan "Sambungkan", Anda menyetujui ketentuan di bawah.',
  kecamatan: 'Kecamatan',
  kindPark: 'Taman kota',
  kindVillageHall: 'Aula desa',
  routerSaid: 'Belum tersambung',
  welcomeTitle: 'Anda sudah terhubung',
  statusTitle: 'Status',
  statusMinutesLeft: 'Sisa waktu hari ini',
  statusMbLeft: 'Sisa kuota hari ini',
  statusVoucherMinutesLeft: 'Sisa waktu voucher',
  statusVoucherMbLeft: 'Sisa kuota voucher',
  statusSpeed: 'Kecepatan (unduh / unggah)',
  statusBusy: 'Keramaian hotspot',
  statusContinue: 'Lanjut menjelajah',
  statusLogout: 'Keluar dari WiFi',
  statusRefresh: 'Perbarui',
  statusEnded: 'Sambungan sudah berakhir',
  statusEndedBody: 'Buka situs web apa saja untuk tersambung lagi, selama jatah harian Anda masih ada.',
  unitMinutes: 'menit',
  unitHours: 'jam',
  unitMinute: 'menit',
  unitHour: 'jam',
  statusSessionEnds: 'Sambungan ini berakhir dalam {duration}. Setelah itu buka halaman apa saja untuk tersambung lagi; sisa jatah Anda tetap ada.',
  welcomeBody: 'Selamat berinternet. Hemat kuota Anda: tutup video yang tidak ditonton.',
  venueLoginTitle: 'Cara tersambung',
  venueOpenLogin: 'Buka halaman masuk',
  venueOrAnyPage: 'Atau buka alamat web apa saja yang diawali http:// — Anda akan dibawa ke halaman masuk.',
  venueAnyPage: 'Sambungkan ponsel ke WiFi ini, lalu buka alamat web apa saja yang diawali http:// (misalnya http://example.com). Anda akan dibawa ke halaman masuk.',
  venueHours: 'Jam buka:',
  errorTitle: 'Maaf, ada masalah',
  errNotThroughRouter:
    'Halaman ini harus dibuka melalui WiFi hotspot. Sambungkan ponsel ke WiFi publik, lalu buka situs web apa saja.',
  errUnknownHotspot: 'Hotspot ini belum terdaftar di sistem. Beri tahu petugas atau Diskominfo.',
  errBadRequest: 'Data dari router tidak lengkap atau rusak. Tutup halaman ini, lalu buka situs web apa saja untuk mencoba lagi.',
  errExpiredForm: 'Halaman ini sudah terlalu lama terbuka. Tutup, lalu buka situs web apa saja untuk memulai lagi.',
  errNotFound: 'Halaman tidak ditemukan.',
  errLoggedOff: 'Anda sudah keluar dari WiFi publik. Buka situs web apa saja untuk tersambung lagi.',
  errLoginFailed: 'Gagal tersambung. Tekan Sambungkan untuk mencoba lagi.',
  errTooManyGrants: 'Terlalu banyak percobaan tersambung dalam semenit. Tunggu 1 menit, lalu tekan Sambungkan lagi.',
  errServer: 'Sistem sedang bermasalah. Coba lagi beberapa menit lagi.',
  footer: 'Dikelola oleh Diskominfo',
  voucherTitle: 'Punya voucher?',
  voucherOnlyTitle: 'Masuk dengan voucher',
  voucherOnlyNote: 'Hotspot ini memakai voucher. Minta voucher ke petugas di lokasi.',
  voucherLabel: 'Kode voucher',
  voucherHint: '10 huruf dan angka, misalnya K7QMX-3RTPA. Huruf besar atau kecil sama saja.',
  voucherUse: 'Pakai voucher',
  acceptNoteVoucher: 'Dengan menekan "Pakai voucher", Anda menyetujui ketentuan di bawah.',
  voucherErrors: {
    malformed: 'Kode voucher terdiri dari 10 huruf dan angka, tanpa 0, 1, O, I dan L (yang mudah tertukar). Periksa lagi kodenya.',
    voucher_invalid: 'Kode voucher tidak ditemukan atau sudah dibatalkan. Periksa lagi kodenya.',
    voucher_wrong_hotspot: 'Voucher ini untuk hotspot lain. Minta voucher untuk hotspot ini ke petugas.',
    voucher_expired: 'Masa berlaku voucher ini sudah habis. Minta voucher baru ke petugas.',
    voucher_used_up: 'Kuota voucher ini sudah habis. Minta voucher baru ke petugas.',
    voucher_devices: 'Voucher ini sudah dipakai di perangkat lain sebanyak yang diizinkan.',
    device_blocked: 'Perangkat ini diblokir sementara oleh petugas. Hubungi petugas di lokasi.',
    too_many: 'Terlalu banyak kode yang salah dari perangkat ini. Tunggu 10 menit, lalu coba lagi.',
    too_many_here: 'Terlalu banyak kode yang salah dari jaringan ini. Tunggu 10 menit, lalu coba lagi.',
  },
  refusals: REFUSAL_TEXTS.id.reasons,

  weekdays: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  voucherSavedTitle: 'Voucher tersimpan',
  voucherSavedBody: 'Kode {code} sudah diingat di browser ini selama 30 menit.',
  voucherSavedSteps: [
    'Sambungkan ponsel ke WiFi publik.',
    'Buka situs web apa saja. Halaman WiFi akan muncul dengan kode voucher sudah terisi.',
    'Tekan "Pakai voucher".',
  ],
  voucherSavedTypeIt: 'Jika kode tidak terisi, ketik kode di atas pada halaman WiFi.',
};

export type Messages = typeof id;

const en: Messages = {
  lang: 'en',
  otherLang: 'id',
  otherLangName: 'Bahasa Indonesia',
  appName: 'Free Public WiFi',
  tagline: 'Free internet from government office capacity that is not in use right now.',
  connect: 'Connect',
  connecting: 'Connecting…',
  continueManually: 'If this page does not move on by itself, press this button:',
  continue: 'Continue',
  termsTitle: 'Terms of use',
  termsFree: 'Free, no registration. Speed is shared fairly with other users.',
  termsFreeLimits: 'Limits per device: {session} per connection, {daily} and {dailyMB} MB per day.',
  termsVoucherOnly: 'Log in with a voucher from the staff. Speed is shared fairly with other users.',
  termsVoucherLimits: 'With a voucher, how long and how much you may use follow the voucher (printed on its card).',
  termsHours: 'Open: {hours} WIB.',
  termsRules: [
    'Not for gambling, pornography, fraud or anything else against the law.',
    'We only record your device address (MAC) and usage, to share the quota; the data is deleted after 7 days.',
  ],
  acceptNote: 'By pressing "Connect" you accept the terms below.',
  kecamatan: 'District',
  kindPark: 'City park',
  kindVillageHall: 'Village hall',
  routerSaid: 'Not connected yet',
  welcomeTitle: 'You are connected',
  statusTitle: 'Status',
  statusMinutesLeft: 'Time left today',
  statusMbLeft: 'Data left today',
  statusVoucherMinutesLeft: 'Voucher time left',
  statusVoucherMbLeft: 'Voucher data left',
  statusSpeed: 'Speed (down / up)',
  statusBusy: 'Hotspot load',
  statusContinue: 'Continue browsing',
  statusLogout: 'Leave the WiFi',
  statusRefresh: 'Refresh',
  statusEnded: 'Your connection has ended',
  statusEndedBody: 'Open any web site to connect again, as long as your daily allowance lasts.',
  unitMinutes: 'minutes',
  unitHours: 'hours',
  unitMinute: 'minute',
  unitHour: 'hour',
  statusSessionEnds: 'This connection ends in {duration}. Then open any page to connect again; what is left of your allowance stays.',
  welcomeBody: 'Enjoy the internet. Save your quota: close videos you are not watching.',
  venueLoginTitle: 'How to connect',
  venueOpenLogin: 'Open the login page',
  venueOrAnyPage: 'Or open any web address that starts with http:// — you will be taken to the login page.',
  venueAnyPage: 'Join this WiFi, then open any web address that starts with http:// (for example http://example.com). You will be taken to the login page.',
  venueHours: 'Open:',
  errorTitle: 'Sorry, something went wrong',
  errNotThroughRouter:
    'This page must be opened through the WiFi hotspot. Connect your phone to the public WiFi, then open any web site.',
  errUnknownHotspot: 'This hotspot is not registered yet. Please tell the staff or Diskominfo.',
  errBadRequest: 'The data from the router is incomplete or damaged. Close this page, then open any web site to try again.',
  errExpiredForm: 'This page has been open too long. Close it, then open any web site to start again.',
  errNotFound: 'Page not found.',
  errLoggedOff: 'You have left the public WiFi. Open any web site to connect again.',
  errLoginFailed: 'Could not connect. Press Connect to try again.',
  errTooManyGrants: 'Too many attempts to connect within a minute. Wait 1 minute, then press Connect again.',
  errServer: 'The system has a problem. Please try again in a few minutes.',
  footer: 'Run by Diskominfo',
  voucherTitle: 'Have a voucher?',
  voucherOnlyTitle: 'Log in with a voucher',
  voucherOnlyNote: 'This hotspot uses vouchers. Ask the staff here for one.',
  voucherLabel: 'Voucher code',
  voucherHint: '10 letters and digits, for example K7QMX-3RTPA. Upper or lower case does not matter.',
  voucherUse: 'Use voucher',
  acceptNoteVoucher: 'By pressing "Use voucher" you accept the terms below.',
  voucherErrors: {
    malformed: 'A voucher code has 10 letters and digits, without 0, 1, O, I and L (easily mistaken). Please check the code.',
    voucher_invalid: 'This voucher code does not exist or was cancelled. Please check the code.',
    voucher_wrong_hotspot: 'This voucher is for another hotspot. Ask the staff for a voucher for this one.',
    voucher_expired: 'This voucher has expired. Ask the staff for a new one.',
    voucher_used_up: 'This voucher has no data left. Ask the staff for a new one.',
    voucher_devices: 'This voucher is already in use on as many other devices as it allows.',
    device_blocked: 'The staff have blocked this device for a while. Please talk to them.',
    too_many: 'Too many wrong codes from this device. Wait 10 minutes, then try again.',
    too_many_here: 'Too many wrong codes from this network. Wait 10 minutes, then try again.',
  },
  refusals: REFUSAL_TEXTS.en.reasons,

  weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  voucherSavedTitle: 'Voucher saved',
  voucherSavedBody: 'Code {code} is remembered in this browser for 30 minutes.',
  voucherSavedSteps: [
    'Connect your phone to the public WiFi.',
    'Open any web site. The WiFi page appears with the voucher code filled in.',
    'Press "Use voucher".',
  ],
  voucherSavedTypeIt: 'If the code is not filled in, type the code above on the WiFi page.',
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = Object.freeze({ id, en });

/** Picks the locale: an explicit `lang` choice, else Accept-Language, else Bahasa Indonesia. */
export function pickLocale(explicit: unknown, acceptLanguage: string | undefined): Locale {
  if (explicit === 'en' || explicit === 'id') return explicit;
  if (!acceptLanguage) return 'id';
  let locale = acceptLanguageSeen.get(acceptLanguage);
  if (!locale) {
    locale = fromAcceptLanguage(acceptLanguage);
    // A browser sends the same header on every request, and a town's phones a few dozen between them; anything
    // beyond that (made-up headers) starts the memory over rather than growing it.
    if (acceptLanguageSeen.size >= 256) acceptLanguageSeen.clear();
    acceptLanguageSeen.set(acceptLanguage, locale);
  }
  return locale;
}

const acceptLanguageSeen = new Map<string, Locale>();

function fromAcceptLanguage(acceptLanguage: string): Locale {
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q) };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('id') || tag.startsWith('in')) return 'id';
    if (tag.startsWith('en')) return 'en';
  }
  return 'id';
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** A number of minutes as people say it: "45 menit", "2 jam", "1 jam 30 menit" (and "1 hour 30 minutes"). */
export function formatDuration(minutes: number, t: Messages): string {
  const m = Math.max(0, Math.floor(minutes));
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (m < 60) return part(m, t.unitMinute, t.unitMinutes);
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? part(hours, t.unitHour, t.unitHours) : `${part(hours, t.unitHour, t.unitHours)} ${part(rest, t.unitMinute, t.unitMinutes)}`;
}
