/**
 * The operators page: accounts and script API keys (src/admin/console/operators.ts).
 * Bahasa Indonesia is the source of the keys; English must have exactly the same ones.
 */
export const id = {
  operators: {
    title: 'Operator',
    new: 'Operator baru',
    fullName: 'Nama lengkap',
    scopeKecamatan: 'Kecamatan (untuk operator)',
    scopeHotspots: 'Hotspot (untuk operator)',
    scopeHint: 'Pisahkan dengan koma. Berlaku untuk peran operator saja.',
    apiKeys: 'Kunci API skrip',
    newApiKey: 'Kunci API skrip baru',
    apiKeyRoleNote: 'Mulai dari pemantau (hanya baca); beri peran operator atau admin hanya kalau skripnya memang perlu mengubah data.',
    newPassword: 'Kata sandi baru',
    passwordHint: 'Kosongkan jika tidak diganti.',
    edit: 'Ubah akun {username}',
  },
};

export const en: typeof id = {
  operators: {
    title: 'Operators',
    new: 'New operator',
    fullName: 'Full name',
    scopeKecamatan: 'Kecamatan (for operators)',
    scopeHotspots: 'Hotspots (for operators)',
    scopeHint: 'Separate with commas. Applies to the operator role only.',
    apiKeys: 'Script API keys',
    newApiKey: 'New script API key',
    apiKeyRoleNote: 'Start from viewer (read only); give operator or admin only when the script must change things.',
    newPassword: 'New password',
    passwordHint: 'Leave empty to keep it.',
    edit: 'Change account {username}',
  },
};
