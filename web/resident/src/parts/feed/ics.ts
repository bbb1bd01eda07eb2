// «Добавить в календарь»: an iCalendar file (RFC 5545) for one event, made in the browser and handed
// to the calendar app as a download. CRLF line ends, content lines folded at 75 octets without
// splitting a UTF-8 character, TEXT values escaped, times in UTC (…Z) so no zone table is needed.

export type CalendarEvent = {
  id: string;
  title: string;
  startsAt: string | Date;
  endsAt: string | Date;
  location?: string | null;
  description?: string | null;
  url?: string | null;
};

/** Where the UIDs live: one event keeps one UID however often it is downloaded. */
export const UID_DOMAIN = "aj74.gov74.ru";
const PRODID = "-//Активный житель 74//Афиша//RU";
const MAX_OCTETS = 75;
const encoder = new TextEncoder();

/** A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/** A UTC DATE-TIME: `20261206T041500Z`. */
export function utcStamp(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${String(value)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** One content line folded (RFC 5545 3.1): at most 75 octets per physical line, continuation lines
 *  start with a space (which counts towards their 75), and a multi-octet character is never split. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) { // iterates by code point: a surrogate pair stays together
    const size = encoder.encode(char).length;
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = " ";
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n");
}

function property(name: string, value: string): string {
  return foldLine(`${name}:${value}`);
}

/** The whole VCALENDAR with one VEVENT, lines ended by CRLF. */
export function eventIcs(event: CalendarEvent, now: Date = new Date()): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    property("PRODID", PRODID),
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    property("UID", `${event.id}@${UID_DOMAIN}`),
    `DTSTAMP:${utcStamp(now)}`,
    `DTSTART:${utcStamp(event.startsAt)}`,
    `DTEND:${utcStamp(event.endsAt)}`,
    property("SUMMARY", escapeText(event.title)),
  ];
  if (event.location) lines.push(property("LOCATION", escapeText(event.location)));
  if (event.description) lines.push(property("DESCRIPTION", escapeText(event.description)));
  // URL is a URI value, not TEXT: it is not escaped (only folded).
  if (event.url) lines.push(property("URL", event.url));
  lines.push("END:VEVENT", "END:VCALENDAR");
  return lines.join("\r\n") + "\r\n";
}

/** A file name for the download: the title's letters and digits, `.ics`. */
export function icsFileName(title: string): string {
  const base = title.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  return `${base || "sobytie"}.ics`;
}

/** The file as a Blob for an `<a download>` link. */
export function icsBlob(text: string): Blob {
  return new Blob([text], { type: "text/calendar;charset=utf-8" });
}
