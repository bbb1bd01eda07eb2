import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatPlainDate, parseDateInput, parseInput, toInput } from "@shared/time";

// The test process may run in any zone (CI runs UTC): Chelyabinsk time must not depend on it.
describe("Chelyabinsk time", () => {
  it("shows a UTC instant as дд.мм.гггг чч:мм in Asia/Yekaterinburg (UTC+5)", () => {
    expect(formatDateTime("2026-12-01T17:42:00Z")).toBe("01.12.2026 22:42");
    expect(formatDateTime("2026-12-31T19:00:00Z")).toBe("01.01.2027 00:00");
    expect(formatDate("2026-12-31T19:00:00Z")).toBe("01.01.2027");
  });

  it("shows nothing for no time and for garbage", () => {
    expect(formatDateTime(null)).toBe("");
    expect(formatDateTime("")).toBe("");
    expect(formatDateTime("not a time")).toBe("");
  });

  it("reads what a person typed as Chelyabinsk wall time", () => {
    expect(parseInput("01.12.2026 22:42")).toBe("2026-12-01T17:42:00Z");
    expect(parseInput(" 1.12.2026, 9:05 ")).toBe("2026-12-01T04:05:00Z");
    expect(parseInput("01.01.2027 00:00")).toBe("2026-12-31T19:00:00Z");
  });

  it("round-trips between the field and the API", () => {
    for (const iso of ["2026-03-29T21:30:00Z", "2026-10-25T00:15:00Z", "2027-06-30T23:59:00Z"]) {
      expect(parseInput(toInput(iso))).toBe(iso);
    }
  });

  it("refuses dates that do not exist and other shapes", () => {
    for (const text of ["31.02.2026 10:00", "00.12.2026 10:00", "01.13.2026 10:00", "01.12.2026 24:00",
      "01.12.2026 10:60", "2026-12-01T10:00", "01.12.2026", ""]) {
      expect(parseInput(text), text).toBeNull();
    }
  });

  it("handles plain dates without a zone shift", () => {
    expect(formatPlainDate("2026-12-01")).toBe("01.12.2026");
    expect(parseDateInput("29.02.2028")).toBe("2028-02-29");
    expect(parseDateInput("29.02.2027")).toBeNull();
  });
});
