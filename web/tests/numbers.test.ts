import { describe, expect, it } from "vitest";
import { countOf, formatCount, formatShare, plural, shortId } from "@shared/numbers";

describe("Russian numbers", () => {
  it("chooses the noun's form by the number", () => {
    const forms: [string, string, string] = ["голос", "голоса", "голосов"];
    const cases: [number, string][] = [[0, "голосов"], [1, "голос"], [2, "голоса"], [4, "голоса"], [5, "голосов"],
      [11, "голосов"], [12, "голосов"], [14, "голосов"], [21, "голос"], [22, "голоса"], [101, "голос"], [111, "голосов"]];
    for (const [n, form] of cases) expect(plural(n, forms), String(n)).toBe(form);
  });

  it("groups thousands and keeps the number with its noun", () => {
    expect(formatCount(12345).replace(/\s/g, " ")).toBe("12 345");
    expect(countOf(5, ["голос", "голоса", "голосов"])).toBe("5\u00a0голосов");
  });

  it("gives shares with a comma and a dash for no total", () => {
    expect(formatShare(1, 3)).toBe("33,3\u00a0%");
    expect(formatShare(1, 0)).toBe("—");
  });

  it("abbreviates long ids only", () => {
    expect(shortId("staff-mod")).toBe("staff-mod");
    expect(shortId("5f0c1d2e3f4a5b6c7d8e9a1e")).toBe("5f0c1d…9a1e");
  });
});
