// The event calendar (#/events): events of the resident's territory and the territories above it
// for the next 30 days, grouped by day (Chelyabinsk dates), with place, start and end, the
// organiser's registration link and «Добавить в календарь» — an .ics file made in the browser.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { messageOf } from "@shared/problems";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { formatDate, ZONE } from "@shared/time";
import { api, data, isSignInNeeded } from "../app/api";
import { link, type Route } from "../app/router";
import { Screen, SignInNeeded } from "../app/shell";
import { eventIcs, icsBlob, icsFileName } from "../parts/feed/ics";
import { ItemImage, timeRange, type FeedItem, type Page } from "../parts/feed/items";
import "../styles/feed.css";

const PAGE_SIZE = 20;
const WEEKDAY = new Intl.DateTimeFormat("ru-RU", { timeZone: ZONE, weekday: "long" });

async function eventsPage(cursor?: string): Promise<Page> {
  const client = await api();
  return (await data(client.GET("/v1/events", { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }))) as Page;
}

/** Events by their start day in Chelyabinsk, in the API's order (earliest first). */
function byDay(items: FeedItem[]): { day: string; label: string; items: FeedItem[] }[] {
  const days: { day: string; label: string; items: FeedItem[] }[] = [];
  for (const item of items) {
    const day = formatDate(item.starts_at);
    let group = days.find((d) => d.day === day);
    if (!group) {
      const weekday = item.starts_at ? WEEKDAY.format(new Date(item.starts_at)) : "";
      group = { day, label: weekday ? `${day}, ${weekday}` : day, items: [] };
      days.push(group);
    }
    group.items.push(item);
  }
  return days;
}

export function EventsScreen(_props: { route: Route }) {
  const first = useLoad(() => eventsPage(), []);
  const [more, setMore] = useState<FeedItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);

  useEffect(() => {
    if (first.data) { setMore([]); setCursor(first.data.next_cursor); }
  }, [first.data]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await eventsPage(cursor);
      setMore((items) => [...items, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      setMoreError(messageOf(e));
    } finally {
      setLoadingMore(false);
    }
  };

  if (first.failure && isSignInNeeded(first.failure)) {
    return <Screen title="Афиша" tab="events"><SignInNeeded /></Screen>;
  }
  const items = first.data ? [...first.data.items, ...more] : [];
  return (
    <Screen title="Афиша" tab="events">
      <p class="hint">События вашего города, района и области на ближайший месяц. Время — челябинское.</p>
      <StatusLine text={first.loading ? "Загрузка афиши…" : loadingMore ? "Загружаем ещё…" : ""} />
      <ErrorBox text={first.error} />
      {first.data && items.length === 0 && <p>В ближайший месяц событий нет.</p>}
      {byDay(items).map((group) => (
        <section key={group.day} aria-labelledby={`day-${group.day}`}>
          <h2 class="events-day" id={`day-${group.day}`}>{group.label}</h2>
          <ul class="cards">
            {group.items.map((item) => <li key={item.id}><EventCard item={item} /></li>)}
          </ul>
        </section>
      ))}
      {moreError && <p class="notice notice-error" role="alert">{moreError}</p>}
      {cursor && (
        <p class="actions">
          <button type="button" class="button button-secondary button-wide" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? "Загружаем…" : "Показать ещё"}
          </button>
        </p>
      )}
    </Screen>
  );
}

function EventCard({ item }: { item: FeedItem }) {
  return (
    <article class="card" aria-labelledby={`event-${item.id}`}>
      <ItemImage item={item} />
      <p class="feed-kind">{item.category_title && <span class="badge">{item.category_title}</span>}</p>
      <h3 class="card-title" id={`event-${item.id}`}><a href={link("feed", item.id)}>{item.title}</a></h3>
      <dl class="facts event-facts">
        <dt>Когда</dt><dd>{timeRange(item.starts_at, item.ends_at)}</dd>
        {item.venue && <><dt>Где</dt><dd>{item.venue}{item.address && <>, {item.address}</>}</dd></>}
      </dl>
      <p class="actions event-actions">
        <CalendarLink item={item} />
        {item.link && (
          <a href={item.link} target="_blank" rel="noopener noreferrer">
            Регистрация<span class="visually-hidden"> на «{item.title}» (сайт организатора)</span>
          </a>
        )}
      </p>
    </article>
  );
}

/** The app's own address of an item: what the calendar entry links to when the organiser gave none. */
function appUrl(id: string): string {
  return `${window.location.origin}/${link("feed", id)}`;
}

function icsUrl(item: FeedItem, description?: string | null): string {
  const text = eventIcs({
    id: item.id, title: item.title, startsAt: item.starts_at ?? "", endsAt: item.ends_at ?? item.starts_at ?? "",
    location: [item.venue, item.address].filter(Boolean).join(", "),
    description: [description, `Подробнее: ${appUrl(item.id)}`].filter(Boolean).join("\n\n"),
    url: item.link ?? appUrl(item.id),
  });
  return URL.createObjectURL(icsBlob(text));
}

/** A download link of the event's .ics. It is ready from the calendar's card at once; the first
 *  click first fetches the event's full description (when the API answers) so the calendar entry
 *  carries it, then lets the download go ahead. */
function CalendarLink({ item }: { item: FeedItem }) {
  const anchor = useRef<HTMLAnchorElement>(null);
  const urls = useRef<string[]>([]);
  const full = useRef(false);
  const [busy, setBusy] = useState(false);
  const href = useMemo(() => {
    const url = icsUrl(item);
    urls.current.push(url);
    return url;
  }, [item]);
  useEffect(() => () => { for (const url of urls.current) URL.revokeObjectURL(url); }, []);

  const onClick = async (event: MouseEvent) => {
    if (full.current || !anchor.current) return; // the file with the description: download it
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const client = await api();
      const got = (await data(client.GET("/v1/feed/{content_id}", { params: { path: { content_id: item.id } } }))) as FeedItem;
      const url = icsUrl(item, got.description);
      urls.current.push(url);
      anchor.current.href = url;
    } catch {
      // Offline or refused: the file from the card (time, place, links) is still a good entry.
    } finally {
      full.current = true;
      setBusy(false);
      anchor.current?.click();
    }
  };

  return (
    <a ref={anchor} class="button button-small" href={href} download={icsFileName(item.title)}
      aria-busy={busy ? "true" : undefined} onClick={(e) => void onClick(e)}>
      Добавить в календарь<span class="visually-hidden"> «{item.title}»</span>
    </a>
  );
}
