import qrcode from 'qrcode-generator';

/**
 * A QR code as an SVG element: one path of dark modules, a quiet zone of four modules, attributes only (the
 * console's CSP allows no inline style). Error correction M: a printed voucher survives a fold or a smudge.
 * Upper-case URLs would fit the denser alphanumeric mode, but phones open them as typed; byte mode is kept.
 */
export function renderQrSvg(text: string, sizeMm = 30): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  const total = n + quiet * 2;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) d += `M${c + quiet},${r + quiet}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${total}" width="${sizeMm}mm" height="${sizeMm}mm" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="${total}" height="${total}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
