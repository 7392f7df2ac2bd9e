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
  terms: [
    'Gratis, tanpa pendaftaran. Kecepatan dibagi adil dengan pengguna lain.',
    'Batas per perangkat: {sessionMinutes} menit per sambungan, {dailyMinutes} menit dan {dailyMB} MB per hari.',
    'Dilarang untuk perjudian, pornografi, penipuan, dan pelanggaran hukum lainnya.',
    'Kami hanya mencatat alamat perangkat (MAC) dan pemakaian, untuk pembagian kuota; data dihapus setelah 7 hari.',
  ],
  acceptNote: 'Dengan menekan "Sambungkan", Anda menyetujui ketentuan di atas.',
  location: 'Lokasi',
  kecamatan: 'Kecamatan',
  kindPark: 'Taman kota',
  kindVillageHall: 'Aula desa',
  routerSaid: 'Belum tersambung',
  welcomeTitle: 'Anda sudah terhubung',
  statusTitle: 'Status',
  statusMinutesLeft: 'Sisa waktu hari ini',
  statusMbLeft: 'Sisa kuota hari ini',
  statusSpeed: 'Kecepatan (unduh / unggah)',
  statusBusy: 'Keramaian hotspot',
  statusContinue: 'Lanjut menjelajah',
  statusLogout: 'Keluar dari WiFi',
  statusRefresh: 'Perbarui',
  statusEnded: 'Sambungan sudah berakhir',
  statusEndedBody: 'Buka situs web apa saja untuk tersambung lagi, selama jatah harian Anda masih ada.',
  unitMinutes: 'menit',
  welcomeBody: 'Selamat berinternet. Hemat kuota Anda: tutup video yang tidak ditonton.',
  errorTitle: 'Maaf, ada masalah',
  errorBack: 'Coba lagi',
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
  terms: [
    'Free, no registration. Speed is shared fairly with other users.',
    'Limits per device: {sessionMinutes} minutes per connection, {dailyMinutes} minutes and {dailyMB} MB per day.',
    'Not for gambling, pornography, fraud or anything else against the law.',
    'We only record your device address (MAC) and usage, to share the quota; the data is deleted after 7 days.',
  ],
  acceptNote: 'By pressing "Connect" you accept the terms above.',
  location: 'Location',
  kecamatan: 'District',
  kindPark: 'City park',
  kindVillageHall: 'Village hall',
  routerSaid: 'Not connected yet',
  welcomeTitle: 'You are connected',
  statusTitle: 'Status',
  statusMinutesLeft: 'Time left today',
  statusMbLeft: 'Data left today',
  statusSpeed: 'Speed (down / up)',
  statusBusy: 'Hotspot load',
  statusContinue: 'Continue browsing',
  statusLogout: 'Leave the WiFi',
  statusRefresh: 'Refresh',
  statusEnded: 'Your connection has ended',
  statusEndedBody: 'Open any web site to connect again, as long as your daily allowance lasts.',
  unitMinutes: 'minutes',
  welcomeBody: 'Enjoy the internet. Save your quota: close videos you are not watching.',
  errorTitle: 'Sorry, something went wrong',
  errorBack: 'Try again',
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
};

export const MESSAGES: Readonly<Record<Locale, Messages>> = Object.freeze({ id, en });

/** Picks the locale: an explicit `lang` choice, else Accept-Language, else Bahasa Indonesia. */
export function pickLocale(explicit: unknown, acceptLanguage: string | undefined): Locale {
  if (explicit === 'en' || explicit === 'id') return explicit;
  if (acceptLanguage) {
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
  }
  return 'id';
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
