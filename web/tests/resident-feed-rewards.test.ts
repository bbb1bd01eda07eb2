import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { capitalized, telHref, timeRange } from "../resident/src/parts/feed/items";
import { isRetryable, newKey, startAttempt } from "../resident/src/app/attempts";
import { groupedCode, qrDataUrl, qrSvg } from "../resident/src/parts/rewards/qr";

const CODE = "S336AAEJT6VUWTPDA6WGEKBVS4";

/** The SVG's dark modules as RGBA pixels (one pixel per module), for jsQR. */
function pixels(svg: string): { data: Uint8ClampedArray; size: number } {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1]);
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const m of svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const at = (Number(m[2]) * size + Number(m[1])) * 4;
    data[at] = data[at + 1] = data[at + 2] = 0;
  }
  return { data, size };
}

describe("the order's QR code", () => {
  it("holds exactly the redemption code", () => {
    const { data, size } = pixels(qrSvg(CODE));
    // Scaled up 4× so the decoder sees modules, not single pixels.
    const scale = 4;
    const big = new Uint8ClampedArray(size * scale * size * scale * 4);
    for (let y = 0; y < size * scale; y++) {
      for (let x = 0; x < size * scale; x++) {
        const from = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 4;
        big.set(data.subarray(from, from + 4), (y * size * scale + x) * 4);
      }
    }
    expect(jsQR(big, size * scale, size * scale)?.data).toBe(CODE);
  });

  it("is an SVG data: URL without style attributes", () => {
    expect(qrDataUrl(CODE)).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(qrSvg(CODE)).not.toMatch(/style/);
  });

  it("reads the code out in groups of four", () => {
    expect(groupedCode(CODE)).toBe("S336 AAEJ T6VU WTPD A6WG EKBV S4");
  });
});

describe("an order attempt", () => {
  it("has its own Idempotency-Key the API accepts (8–128 printable ASCII)", () => {
    const a = startAttempt("item"), b = startAttempt("item");
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^[\x21-\x7e]{8,128}$/);
    expect(newKey()).toMatch(/^[\x21-\x7e]{8,128}$/);
  });

  it("is retried as it is only when the answer was lost or the server was busy", () => {
    expect([0, 429, 500, 503].map(isRetryable)).toEqual([true, true, true, true]);
    expect([400, 404, 409, 422].map(isRetryable)).toEqual([false, false, false, false]);
  });
});

describe("feed items", () => {
  it("shows an event's span in Chelyabinsk time, the end date only when it differs", () => {
    expect(timeRange("2026-12-09T09:00:00Z", "2026-12-09T11:00:00Z")).toBe("09.12.2026 14:00 – 16:00");
    expect(timeRange("2026-12-09T18:00:00Z", "2026-12-09T20:00:00Z")).toBe("09.12.2026 23:00 – 10.12.2026 01:00");
  });

  it("dials the police phone with digits only", () => {
    expect(telHref("+7 351 613-00-00")).toBe("tel:+73516130000");
  });

  it("starts a label with a capital", () => {
    expect(capitalized("бюллетень МЧС")).toBe("Бюллетень МЧС");
  });
});
