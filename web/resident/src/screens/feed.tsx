// The feed (#/feed): news, events and missing-person notices of the resident's territory and the
// territories above it, active МЧС bulletins pinned first. The first page is saved on the device
// and shown offline; further pages come with the API's cursor as the list's end scrolls into view,
// or from «Показать ещё» (keyboard and screen-reader users). An item (#/feed/<id>) has its full text.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, StatusLine, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { api, data, isSignInNeeded } from "../app/api";
import { link, type Route } from "../app/router";
import { withSaved } from "../app/saved";
import { SavedNotice, Screen, SignInNeeded } from "../app/shell";
import {
  capitalized, ItemImage, Paragraphs, severityClass, telHref, timeRange, type FeedItem, type Page,
} from "../parts/feed/items";
import "../styles/feed.css";

const PAGE_SIZE = 20;

async function feedPage(cursor?: string): Promise<Page> {
  const client = await api();
  return (await data(client.GET("/v1/feed", { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }))) as Page;
}

export function FeedScreen(_props: { route: Route }) {
  const first = useLoad(() => withSaved("feed", () => feedPage()), []);
  const [more, setMore] = useState<FeedItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [announce, setAnnounce] = useState("");
  const end = useRef<HTMLDivElement>(null);
  const busy = useRef(false);

  useEffect(() => {
    if (first.data) {
      setMore([]);
      setCursor(first.data.savedAt ? null : first.data.value.next_cursor);
    }
  }, [first.data]);

  const loadMore = async () => {
    if (!cursor || busy.current) return;
    busy.current = true;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await feedPage(cursor);
      setMore((items) => [...items, ...page.items]);
      setCursor(page.next_cursor);
      setAnnounce(page.items.length ? `Загружено ещё ${page.items.length}.` : "");
    } catch (e) {
      setMoreError(messageOf(e));
    } finally {
      busy.current = false;
      setLoadingMore(false);
    }
  };

  // Infinite scroll: the next page starts loading when the list's end comes near the screen.
  useEffect(() => {
    const target = end.current;
    if (!target || !cursor || moreError || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { rootMargin: "400px 0px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [cursor, moreError]);

  if (first.failure && isSignInNeeded(first.failure)) {
    return <Screen title="Лента" tab="feed"><SignInNeeded /></Screen>;
  }
  const items = first.data ? [...first.data.value.items, ...more] : [];
  const pinned = items.filter((i) => i.pinned);
  const rest = items.filter((i) => !i.pinned);
  return (
    <Screen title="Лента" tab="feed">
      <StatusLine text={first.loading && !first.data ? "Загрузка ленты…" : loadingMore ? "Загружаем ещё…" : announce} />
      <ErrorBox text={first.error} />
      {first.data && <SavedNotice savedAt={first.data.savedAt} />}
      {first.data && items.length === 0 && <p>В ленте пока ничего нет.</p>}
      {pinned.length > 0 && (
        <section aria-labelledby="pinned-title" class="feed-pinned">
          <h2 id="pinned-title" class="visually-hidden">Бюллетени МЧС</h2>
          <ul class="cards">
            {pinned.map((item) => <li key={item.id}><FeedCard item={item} /></li>)}
          </ul>
        </section>
      )}
      {rest.length > 0 && (
        <section aria-labelledby="news-title">
          <h2 id="news-title" class={pinned.length ? "" : "visually-hidden"}>Новости и события</h2>
          <ul class="cards" id="feed-list">
            {rest.map((item) => <li key={item.id}><FeedCard item={item} /></li>)}
          </ul>
        </section>
      )}
      <div ref={end} class="feed-end">
        {moreError && <p class="notice notice-error" role="alert">{moreError}</p>}
        {cursor && (
          <button type="button" class="button button-secondary button-wide" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? "Загружаем…" : "Показать ещё"}
          </button>
        )}
        {first.data && !first.data.savedAt && !cursor && items.length > 0 && <p class="hint">Это всё, что есть в ленте.</p>}
      </div>
    </Screen>
  );
}

function FeedCard({ item }: { item: FeedItem }) {
  const bulletin = item.type === "bulletin";
  return (
    <article class={`card feed-card${bulletin ? ` feed-bulletin feed-bulletin-${item.severity ?? "info"}` : ""}`}
      aria-labelledby={`item-${item.id}`}>
      <ItemImage item={item} />
      <p class="feed-kind">
        <span>{capitalized(item.type_title)}</span>
        {bulletin && item.severity_title && <span class={`badge ${severityClass(item.severity)}`}>{item.severity_title}</span>}
        {item.type === "missing_person" && item.status_title && (
          <span class={`badge ${item.status === "found" ? "badge-ok" : "badge-warn"}`}>{item.status_title}</span>
        )}
        {item.type === "event" && item.category_title && <span class="badge">{item.category_title}</span>}
        {bulletin && <span class="feed-pin">Закреплено</span>}
      </p>
      <h3 class="card-title" id={`item-${item.id}`}>
        <a href={link("feed", item.id)}>{item.title}</a>
      </h3>
      {item.excerpt && <p class="feed-excerpt">{item.excerpt}</p>}
      {item.type === "event" && (
        <p class="feed-excerpt">{timeRange(item.starts_at, item.ends_at)}{item.venue && <>, {item.venue}</>}</p>
      )}
      {item.type === "missing_person" && item.last_seen_place && (
        <p class="feed-excerpt">Последний раз видели: {item.last_seen_place}, <Time value={item.last_seen_at} /></p>
      )}
      <p class="card-meta">
        {item.published_at && <span>Опубликовано <Time value={item.published_at} /></span>}
        {bulletin && item.expires_at && <span>Действует до <Time value={item.expires_at} /></span>}
      </p>
    </article>
  );
}

export function FeedItemScreen({ route }: { route: Route }) {
  const id = route.segments[1] ?? "";
  const loaded = useLoad(async () => {
    const client = await api();
    return (await data(client.GET("/v1/feed/{content_id}", { params: { path: { content_id: id } } }))) as FeedItem;
  }, [id]);
  const back = { href: link("feed"), label: "Лента" };
  if (loaded.failure && isSignInNeeded(loaded.failure)) {
    return <Screen title="Материал" tab="feed" back={back}><SignInNeeded /></Screen>;
  }
  const item = loaded.data;
  const notFound = loaded.failure instanceof ApiError && loaded.failure.status === 404;
  return (
    <Screen title={item?.title ?? (notFound ? "Материал не найден" : "Материал")} tab="feed" back={back}>
      <StatusLine text={loaded.loading ? "Загрузка…" : ""} />
      <ErrorBox text={loaded.error} />
      {item && <FullItem item={item} />}
    </Screen>
  );
}

function FullItem({ item }: { item: FeedItem }) {
  return (
    <article class="feed-item">
      <p class="feed-kind">
        <span>{capitalized(item.type_title)}</span>
        {item.severity_title && <span class={`badge ${severityClass(item.severity)}`}>{item.severity_title}</span>}
        {item.status_title && <span class={`badge ${item.status === "found" ? "badge-ok" : "badge-warn"}`}>{item.status_title}</span>}
        {item.category_title && <span class="badge">{item.category_title}</span>}
      </p>
      <ItemImage item={item} className="feed-item-image" />
      <dl class="facts">
        {item.published_at && <><dt>Опубликовано</dt><dd><Time value={item.published_at} /></dd></>}
        {item.territories && item.territories.length > 0 && <><dt>Где</dt><dd>{item.territories.join(", ")}</dd></>}
        {item.expires_at && <><dt>Действует до</dt><dd><Time value={item.expires_at} /></dd></>}
        {item.starts_at && <><dt>Когда</dt><dd>{timeRange(item.starts_at, item.ends_at)}</dd></>}
        {item.venue && <><dt>Место</dt><dd>{item.venue}{item.address && <>, {item.address}</>}</dd></>}
        {item.last_seen_place && <><dt>Где видели</dt><dd>{item.last_seen_place}</dd></>}
        {item.last_seen_at && <><dt>Когда видели</dt><dd><Time value={item.last_seen_at} /></dd></>}
      </dl>
      <div class="feed-text">
        <Paragraphs text={item.body ?? item.description} />
      </div>
      {item.outcome && <div class="notice notice-ok"><Paragraphs text={item.outcome} /></div>}
      {item.type === "missing_person" && item.contact_phone && (
        <div class="notice notice-info">
          <p>Если вы видели этого человека или что-то знаете, позвоните в полицию:</p>
          <p><a class="button" href={telHref(item.contact_phone)}>Позвонить: {item.contact_phone}</a></p>
        </div>
      )}
      {item.type === "event" && (
        <p class="actions">
          {item.link && <a href={item.link} target="_blank" rel="noopener noreferrer">Регистрация и подробности (откроется на сайте организатора)</a>}
          <a href={link("events")}>Вся афиша</a>
        </p>
      )}
    </article>
  );
}
