// The МЧС operator's bulletin console: a bulletin (severity, territories, expiry) goes to residents'
// feeds at once — the API's emergency fast path, no review —; what is live is shown per territory,
// and each live bulletin can be retracted (an all-clear) with a reason.
import "../styles/site.css";
import "../styles/content.css";
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { Notice, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { placed } from "../parts/territories";
import { useDeskData, type DeskData } from "../parts/content/desk-data";
import { ContentEditor } from "../parts/content/editor";
import { PartError } from "../parts/content/view";
import { RetractForm } from "../parts/content/item-actions";
import { SEVERITY_TITLES, type ContentItem } from "../parts/content/model";

function Severity({ item }: { item: ContentItem }) {
  const s = item.severity ?? "info";
  return <span class={`severity severity-${s}`}>{SEVERITY_TITLES[s]}</span>;
}

function LiveByTerritory({ live, desk }: { live: ContentItem[]; desk: DeskData }) {
  const order = placed(desk.territories, null);
  const rows = order.map((t) => ({ t, items: live.filter((b) => b.territory_ids.includes(t.id)) })).filter((r) => r.items.length);
  if (!rows.length) return <p id="live-empty" class="muted">Сейчас в ленте нет бюллетеней МЧС.</p>;
  return (
    <ul id="live-by-territory" class="plain-list territory-live">
      {rows.map(({ t, items }) => (
        <li key={t.id}>
          <strong>{t.name}</strong> (и территории внутри):{" "}
          {items.map((b, i) => <span key={b.id}>{i > 0 && "; "}<Severity item={b} /> «{b.title}»</span>)}
        </li>
      ))}
    </ul>
  );
}

function Console() {
  const { api } = useStaff();
  const { desk, error } = useDeskData();
  const [message, setMessage] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);
  const live = useLoad(async () => {
    const page = await data(api.GET("/v1/admin/content", { params: { query: { state: "published", limit: 50 } } }));
    const now = Date.now();
    return (page.items as unknown as ContentItem[])
      .filter((c) => c.type === "bulletin" && (!c.expires_at || Date.parse(c.expires_at) > now));
  }, []);
  useBusy("live", live.loading);
  if (!desk) return <PartError id="desk-error" text={error} />;
  const published = (item: ContentItem, text: string) => {
    setMessage(text.replace("{title}", item.title));
    setFormKey((k) => k + 1);
    live.reload();
  };
  return (
    <>
      {message && <Notice>{message}</Notice>}
      <section aria-labelledby="live-heading">
        <h2 id="live-heading">Сейчас в ленте</h2>
        <PartError id="live-error" text={live.error} />
        {live.data && (
          <>
            <LiveByTerritory live={live.data} desk={desk} />
            <ul id="live-bulletins" class="cards">
              {live.data.map((b) => (
                <li key={b.id} class={`card bulletin-card severity-border-${b.severity ?? "info"}`} data-id={b.id}>
                  <p class="card-title"><Severity item={b} /> {b.title}</p>
                  <p class="content-body">{b.body}</p>
                  <p class="muted">{desk.names(b.territory_ids).join(", ")} · опубликован <Time value={b.published_at} />
                    {" "}· действует до <Time value={b.expires_at} /></p>
                  <RetractForm item={b} who="ГУ МЧС или Управление по внутренней политике"
                    done={(saved) => published(saved, "Бюллетень «{title}» снят с публикации.")} />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="new-heading">
        <h2 id="new-heading">Новый бюллетень</h2>
        <p class="muted">Бюллетень публикуется сразу, без согласования, и закрепляется вверху ленты жителей
          выбранных территорий до окончания срока действия.</p>
        <ContentEditor key={formKey} type="bulletin" options={placed(desk.territories, null)}
          actions={[{ label: "Опубликовать сейчас" }]}
          onDone={(item) => published(item, "Бюллетень «{title}» опубликован.")} />
      </section>
    </>
  );
}

mountStaffPage({ title: "Бюллетени МЧС", roles: ["emergency"] }, Console);
