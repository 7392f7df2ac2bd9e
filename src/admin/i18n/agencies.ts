/**
 * The agencies page and its telemetry API keys (src/admin/console/agencies.ts).
 * Bahasa Indonesia is the source of the keys; English must have exactly the same ones.
 */
export const id = {
  agencies: {
    title: 'Instansi',
    keys: 'Kunci API telemetri',
    newKey: 'Kunci API baru',
    keyOnce: 'Kunci API (hanya ditampilkan sekali, salin sekarang):',
    agenciesFor: 'Untuk instansi (kosong = semua)',
    never: 'belum pernah',
    ago: '{time} lalu',
  },
};

export const en: typeof id = {
  agencies: {
    title: 'Agencies',
    keys: 'Telemetry API keys',
    newKey: 'New API key',
    keyOnce: 'API key (shown once; copy it now):',
    agenciesFor: 'For agencies (empty = all)',
    never: 'never',
    ago: '{time} ago',
  },
};
