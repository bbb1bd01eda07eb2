// A content item as staff read it: its fields by type, and its workflow history in Russian.
import type { ComponentChildren } from "preact";
import { Time } from "@shared/ui/feedback";
import { shortId } from "@shared/numbers";
import { ACTION_TITLES, CATEGORY_TITLES, SEARCH_TITLES, SEVERITY_TITLES, TYPE_TITLES, type ContentItem,
  type HistoryEntry } from "./model";

function Row({ term, children }: { term: string; children: ComponentChildren }) {
  return <div class="profile-row"><dt>{term}</dt><dd>{children}</dd></div>;
}

function Link({ href }: { href?: string }) {
  return href ? <a href={href} rel="noopener noreferrer" class="break-anywhere">{href}</a> : <span>—</span>;
}

export function ContentDetails({ item, names }: { item: ContentItem; names: (ids: readonly string[]) => string[] }) {
  return (
    <dl class="profile content-details">
      <Row term="Тип">{TYPE_TITLES[item.type]}</Row>
      <Row term="Территории">{names(item.territory_ids).join(", ")}</Row>
      {item.type === "bulletin" && item.severity && <Row term="Уровень опасности">{SEVERITY_TITLES[item.severity]}</Row>}
      {item.type === "event" && (
        <>
          <Row term="Начало"><Time value={item.starts_at} /></Row>
          <Row term="Окончание"><Time value={item.ends_at} /></Row>
          <Row term="Место проведения">{item.venue}</Row>
          <Row term="Адрес">{item.address}</Row>
          {item.category && <Row term="Категория">{CATEGORY_TITLES[item.category]}</Row>}
          <Row term="Ссылка на регистрацию"><Link href={item.link} /></Row>
        </>
      )}
      {item.type === "missing_person" && (
        <>
          <Row term="Где видели в последний раз">{item.last_seen_place}</Row>
          <Row term="Когда видели в последний раз"><Time value={item.last_seen_at} /></Row>
          <Row term="Телефон для сообщений"><span class="nowrap">{item.contact_phone}</span></Row>
          <Row term="Статус поиска">{SEARCH_TITLES[item.status ?? "searching"]}</Row>
          {item.outcome && <Row term="Итог поиска">{item.outcome}</Row>}
        </>
      )}
      {item.type === "bulletin" && <Row term="Действует до"><Time value={item.expires_at} /></Row>}
      <Row term="Публикация">
        {item.published_at ? <>опубликован <Time value={item.published_at} /></>
          : item.publish_at ? <>не раньше <Time value={item.publish_at} /></> : "сразу после согласования"}
      </Row>
      {item.image?.url && (
        <Row term="Изображение"><img class="content-image" src={item.image.url} alt={item.image.alt} /></Row>
      )}
      {(item.image_url || item.photo_url) && <Row term="Изображение"><Link href={item.image_url ?? item.photo_url} /></Row>}
      <Row term={item.type === "news" || item.type === "bulletin" ? "Текст" : "Описание"}>
        <p class="content-body">{item.body ?? item.description}</p>
      </Row>
    </dl>
  );
}

export function HistoryList({ history, roleTitles, id }: { history: HistoryEntry[]; roleTitles: Record<string, string>; id?: string }) {
  if (!history.length) return <p class="muted">История пуста: материал ещё не отправлялся на согласование.</p>;
  return (
    <ol id={id} class="history">
      {history.map((h, i) => (
        <li key={i}>
          <Time value={h.at} /> — {ACTION_TITLES[h.action] ?? h.action}
          {h.actor_role !== "system" && <> · {roleTitles[h.actor_role] ?? h.actor_role}</>}
          {h.actor && !h.actor.startsWith("system:") && <span class="muted"> ({shortId(h.actor)})</span>}
          {h.comment && <p class="comment">{h.comment}</p>}
        </li>
      ))}
    </ol>
  );
}

/** A part's own error box (the page frame's ErrorBox holds id="error"; ids must stay unique). */
export function PartError({ id, text }: { id: string; text?: string | null }) {
  return <div id={id} class="notice notice-error" role="alert" hidden={!text}>{text ?? ""}</div>;
}
