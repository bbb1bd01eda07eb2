// Counts as Russian readers expect them: thin-space thousands (12 345), shares with a comma, and
// the noun in the right form for the number (1 голос, 2 голоса, 5 голосов).

const COUNT = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 0 });
const SHARE = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 1, minimumFractionDigits: 0 });

export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** `part` of `total` as a percentage (`42,5 %`); an em dash when there is no total. */
export function formatShare(part: number, total: number): string {
  if (!total) return "—";
  return `${SHARE.format((100 * part) / total)}\u00a0%`;
}

/** The form of a noun for `n`: plural(5, ["голос", "голоса", "голосов"]) → "голосов". */
export function plural(n: number, forms: [string, string, string]): string {
  const tens = Math.abs(n) % 100;
  const units = tens % 10;
  if (tens > 10 && tens < 20) return forms[2];
  if (units === 1) return forms[0];
  if (units >= 2 && units <= 4) return forms[1];
  return forms[2];
}

/** `5 голосов`, with a non-breaking space so the number never parts from its noun. */
export function countOf(n: number, forms: [string, string, string]): string {
  return `${formatCount(n)}\u00a0${plural(n, forms)}`;
}

/** A long identifier shortened for a table (`staff-mod-satka` stays, `5f0c…9a1e` for a hash). */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-4)}`;
}
