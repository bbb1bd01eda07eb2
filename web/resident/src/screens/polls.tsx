// The polls of the resident's territory and every territory above it: the open ones first, then
// the finished ones (final results). Each card says before it is opened whether the resident can
// vote, and if not, why (the API's can_vote and its reason). The first page of both lists is
// saved on the device and shown offline with a notice.
import { useState } from "preact/hooks";
import { messageOf } from "@shared/problems";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { api, data, isSignInNeeded } from "../app/api";
import { link, type Route } from "../app/router";
import { withSaved } from "../app/saved";
import { SavedNotice, Screen, SignInNeeded } from "../app/shell";
import { PollFacts, VoteStanding } from "../parts/polls/summary";
import type { Poll, PollList } from "../parts/polls/types";
import "../styles/polls.css";

type State = "open" | "final";
type Lists = Record<State, PollList>;

async function page(state: State, cursor?: string | null): Promise<PollList> {
  const client = await api();
  return data(client.GET("/v1/polls", { params: { query: { state, limit: 20, ...(cursor ? { cursor } : {}) } } }));
}

function PollCard({ poll }: { poll: Poll }) {
  const image = poll.image ?? (poll.image_url ? { url: poll.image_url, alt: "" } : null);
  return (
    <li>
      <article class="card poll-card" data-id={poll.id} data-state={poll.state}>
        {image && <img class="card-image" src={image.url} alt={image.alt} loading="lazy" />}
        <h3 class="card-title"><a class="card-link" href={link("polls", poll.id)}>{poll.title}</a></h3>
        <PollFacts poll={poll} />
        <VoteStanding poll={poll} />
      </article>
    </li>
  );
}

function Section({ state, title, first, empty }: { state: State; title: string; first: PollList; empty: string }) {
  const [more, setMore] = useState<Poll[]>([]);
  const [cursor, setCursor] = useState(first.next_cursor);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const items = [...first.items, ...more];
  const loadMore = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await page(state, cursor);
      setMore((m) => [...m, ...next.items]);
      setCursor(next.next_cursor);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby={`${state}-title`} class="poll-section">
      <h2 id={`${state}-title`}>{title}</h2>
      {items.length === 0 ? <p class="muted">{empty}</p> : (
        <ul class="cards" id={`${state}-polls`}>{items.map((p) => <PollCard key={p.id} poll={p} />)}</ul>
      )}
      {error && <p class="notice notice-error" role="alert">{error}</p>}
      {cursor && (
        <p class="actions">
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => void loadMore()}>
            {busy ? "Загрузка…" : "Показать ещё"}
          </button>
        </p>
      )}
    </section>
  );
}

export function PollsScreen(_props: { route: Route }) {
  const lists = useLoad(() => withSaved<Lists>("polls", async () => {
    const [open, final] = await Promise.all([page("open"), page("final")]);
    return { open, final };
  }), []);
  if (lists.failure && isSignInNeeded(lists.failure)) {
    return <Screen title="Опросы" tab="polls"><SignInNeeded /></Screen>;
  }
  const value = lists.data?.value;
  return (
    <Screen title="Опросы" tab="polls">
      <StatusLine text={lists.loading && !value ? "Загрузка опросов…" : ""} />
      <ErrorBox text={lists.error} />
      {lists.data && <SavedNotice savedAt={lists.data.savedAt} />}
      {value && (
        <>
          <Section state="open" title="Идёт голосование" first={value.open}
            empty="Сейчас нет опросов для вашей территории." />
          <Section state="final" title="Итоги подведены" first={value.final} empty="Завершённых опросов пока нет." />
        </>
      )}
      <p class="check-link"><a href={link("check")}>Проверить свой голос по квитанции</a></p>
    </Screen>
  );
}
