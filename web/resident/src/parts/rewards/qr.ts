// The QR code of an order's redemption code, for the partner's counter (its content is exactly the
// code: 26 characters of A–Z and 2–7, QR's alphanumeric mode). Drawn as an SVG in a data: URL for an
// <img>, so no style attribute is needed (CSP style-src 'self') and it scales without blurring.
import qrcode from "qrcode-generator";

/** Quiet zone around the code, in modules (the QR standard asks for 4). */
const MARGIN = 4;

export function qrSvg(text: string): string {
  const qr = qrcode(0, "M");
  qr.addData(text, /^[0-9A-Z $%*+\-./:]*$/.test(text) ? "Alphanumeric" : "Byte");
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 2 * MARGIN;
  let path = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.isDark(row, col)) path += `M${col + MARGIN} ${row + MARGIN}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size * 8}" height="${size * 8}" `
    + `shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

export function qrDataUrl(text: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg(text))}`;
}

/** The code in groups of four, easier to read out at the counter (the cashier's form drops spaces). */
export function groupedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, "$1 ");
}
