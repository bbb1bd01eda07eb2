import { describe, expect, it } from "vitest";
import { escapeText, eventIcs, foldLine, icsFileName, utcStamp, UID_DOMAIN } from "../resident/src/parts/feed/ics";

const octets = (s: string) => new TextEncoder().encode(s).length;
/** Undo RFC 5545 folding: a CRLF followed by one space or tab joins the lines. */
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, "");

const EVENT = {
  id: "01JEVENT0000000000000000AB",
  title: "Концерт народного хора «Саткинские узоры»",
  startsAt: "2026-12-09T09:00:00Z",
  endsAt: "2026-12-09T11:00:00+00:00",
  location: "ДК «Магнезит», Сатка, ул. Пролетарская",
  description: "Народные песни; вход свободный.\nМеста — по мере прихода. Путь: C:\\зал",
  url: "https://satka74.ru/events/1?a=1,b=2",
};

describe("folding", () => {
  it("keeps a short line as it is", () => {
    expect(foldLine("SUMMARY:Каток")).toBe("SUMMARY:Каток");
  });

  it("folds a long Cyrillic line at 75 octets without splitting a character", () => {
    const line = "SUMMARY:" + "Фестиваль уличной культуры на набережной Урала — ".repeat(4);
    const folded = foldLine(line);
    const physical = folded.split("\r\n");
    expect(physical.length).toBeGreaterThan(3);
    for (const [i, part] of physical.entries()) {
      expect(octets(part)).toBeLessThanOrEqual(75);
      if (i > 0) expect(part.startsWith(" ")).toBe(true);
      // Each physical line is whole UTF-8: decoding its bytes strictly gives it back unchanged.
      const bytes = new TextEncoder().encode(part);
      expect(new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toBe(part);
      expect(part).not.toMatch(/\uFFFD/);
    }
    // Every line but the last is full: the next character (2 octets) would not have fit.
    for (const part of physical.slice(0, -1)) expect(octets(part)).toBeGreaterThanOrEqual(74);
    expect(unfold(folded)).toBe(line);
  });

  it("never splits a four-octet character either", () => {
    const line = "DESCRIPTION:" + "a".repeat(62) + "😀😀😀";
    const physical = foldLine(line).split("\r\n");
    expect(physical[0]).toBe("DESCRIPTION:" + "a".repeat(62));
    expect(physical[1]).toBe(" 😀😀😀");
    expect(unfold(physical.join("\r\n"))).toBe(line);
  });
});

describe("TEXT escaping", () => {
  it("escapes backslash, semicolon, comma and line breaks", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf")).toBe("a\\\\b\\;c\\,d\\ne\\nf");
  });

  it("escapes the backslash first, so an escape is not escaped twice", () => {
    expect(escapeText("\\n")).toBe("\\\\n");
  });
});

describe("the calendar file", () => {
  const now = new Date("2026-12-06T10:15:30.123Z");
  const ics = eventIcs(EVENT, now);
  const lines = unfold(ics).split("\r\n");

  it("writes UTC times with Z", () => {
    expect(utcStamp("2026-12-09T14:00:00+05:00")).toBe("20261209T090000Z");
    expect(lines).toContain("DTSTART:20261209T090000Z");
    expect(lines).toContain("DTEND:20261209T110000Z");
    expect(lines).toContain("DTSTAMP:20261206T101530Z");
  });

  it("ends every line with CRLF and has no bare LF", () => {
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const physical of ics.split("\r\n")) expect(octets(physical)).toBeLessThanOrEqual(75);
  });

  it("has one VEVENT with the UID, summary, place, description and URL", () => {
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines).toContain("VERSION:2.0");
    expect(lines).toContain(`UID:${EVENT.id}@${UID_DOMAIN}`);
    expect(lines).toContain("SUMMARY:Концерт народного хора «Саткинские узоры»");
    expect(lines).toContain("LOCATION:ДК «Магнезит»\\, Сатка\\, ул. Пролетарская");
    expect(lines).toContain("DESCRIPTION:Народные песни\\; вход свободный.\\nМеста — по мере прихода. Путь: C:\\\\зал");
    expect(lines).toContain("URL:https://satka74.ru/events/1?a=1,b=2");
    expect(lines.filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
    expect(lines.at(-2)).toBe("END:VCALENDAR");
  });

  it("leaves out what the event does not have", () => {
    const bare = eventIcs({ id: "x", title: "Т", startsAt: EVENT.startsAt, endsAt: EVENT.endsAt }, now);
    expect(bare).not.toMatch(/LOCATION|DESCRIPTION|URL:/);
  });

  it("refuses a time that is not one", () => {
    expect(() => utcStamp("завтра")).toThrow(RangeError);
  });

  it("names the file after the event", () => {
    expect(icsFileName("Лыжня России — 2027")).toBe("Лыжня-России-2027.ics");
    expect(icsFileName("«»")).toBe("sobytie.ics");
  });
});
