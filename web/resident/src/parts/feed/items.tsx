// Feed items as the API gives them: the common fields the OpenAPI document types, plus the fields
// of each type ("title, body, … — as in the admin desk", the document says). Every code comes with
// its Russian label from the API (type_title, severity_title, category_title, status_title).
import type { paths } from "@shared/api/client";
import { formatDateTime } from "@shared/time";

type Common = paths["/v1/feed/{content_id}"]["get"]["responses"][200]["content"]["application/json"];
export type FeedPage = paths["/v1/feed"]["get"]["responses"][200]["content"]["application/json"];
export type Image = { id: string; url: string; alt: string } | null;

/** A card of the feed or the calendar, or a full item (GET /v1/feed/{id}) with its text. */
export type FeedItem = Common & {
  title: string;
  excerpt?: string;
  // news
  body?: string;
  image?: Image;
  image_url?: string | null;
  // bulletin
  expires_at?: string;
  // missing person
  description?: string;
  photo_url?: string | null;
  last_seen_place?: string;
  last_seen_at?: string;
  contact_phone?: string;
  outcome?: string | null;
  // event
  starts_at?: string;
  ends_at?: string;
  venue?: string;
  address?: string;
  link?: string | null;
};

export type Page = { items: FeedItem[]; next_cursor: string | null };

/** «бюллетень МЧС» → «Бюллетень МЧС»: a label that starts a line. */
export function capitalized(text: string): string {
  return text ? text[0].toLocaleUpperCase("ru-RU") + text.slice(1) : text;
}

export function severityClass(severity: string | undefined): string {
  return severity === "danger" ? "badge-error" : severity === "warning" ? "badge-warn" : "badge-info";
}

/** `09.12.2026 14:00 – 16:00`, or both dates when the event runs past midnight (Chelyabinsk). */
export function timeRange(start?: string, end?: string): string {
  const from = formatDateTime(start);
  const to = formatDateTime(end);
  if (!to) return from;
  return from.slice(0, 10) === to.slice(0, 10) ? `${from} – ${to.slice(11)}` : `${from} – ${to}`;
}

/** The picture of an item: an uploaded image with its description, else an older plain URL (which
 *  has none: it is decorative, the title beside it says what the item is). A picture that fails to
 *  load is removed rather than shown broken. */
export function ItemImage({ item, className = "card-image" }: { item: FeedItem; className?: string }) {
  const src = item.image?.url ?? item.image_url ?? item.photo_url;
  if (!src) return null;
  const alt = item.image?.alt ?? (item.type === "missing_person" ? `Фото: ${item.title}` : "");
  return (
    <img class={className} src={src} alt={alt} loading="lazy" decoding="async"
      onError={(e) => e.currentTarget.remove()} />
  );
}

/** Text with blank-line paragraphs and single line breaks, never markup. */
export function Paragraphs({ text }: { text?: string | null }) {
  if (!text) return null;
  return (
    <>
      {text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split("\n").map((line, j) => (j ? [<br key={j} />, line] : line))}
        </p>
      ))}
    </>
  );
}

/** The phone as a tel: link (digits and a leading plus only). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}
