// A poll in a dashboard list: title, state, territories, voting period (Chelyabinsk time), the
// Directorate's comment when it was rejected, and the links the poll's state allows.
import { Time } from "@shared/ui/feedback";
import { EDITABLE, WITH_RESULTS, pollHref, resultsHref, type Poll } from "./types";
import { CardTurnout } from "./Turnout";

/** At most this many cards of a list ask for their turnout (one results call each). */
export const TURNOUT_CARDS = 10;

export function PollCard({ poll, canEdit, turnout = false }: { poll: Poll; canEdit: boolean; turnout?: boolean }) {
  const lastComment = [...(poll.history ?? [])].reverse().find((h) => h.comment);
  const editable = canEdit && EDITABLE.includes(poll.state);
  return (
    <li class="card" data-poll-id={poll.id}>
      <p class="card-title">{poll.title}</p>
      <p class="muted">{poll.state_title} · {(poll.territories ?? []).map((t) => t.name).join(", ")}</p>
      <p class="muted">Голосование: <Time value={poll.opens_at} /> — <Time value={poll.closes_at} /></p>
      {turnout && WITH_RESULTS.includes(poll.state) && <CardTurnout pollId={poll.id} />}
      {poll.state === "rejected" && lastComment && (
        <p class="notice notice-error">Комментарий согласующего: {lastComment.comment}</p>
      )}
      <p class="actions">
        <a href={pollHref(poll.id)}>{editable ? "Открыть редактор" : "Посмотреть опрос"}</a>
        {WITH_RESULTS.includes(poll.state) && (
          <a href={resultsHref(poll.id)}>{poll.state === "final" ? "Итоги и исполнение" : "Участие"}</a>
        )}
      </p>
    </li>
  );
}

type ListProps = { polls: Poll[]; canEdit: boolean; empty: string; id?: string; turnout?: boolean };

/** Polls as cards; with `turnout`, the first TURNOUT_CARDS cards with results show their turnout. */
export function PollList({ polls, canEdit, empty, id, turnout = false }: ListProps) {
  if (!polls.length) return <p id={id} class="muted">{empty}</p>;
  return <ul id={id} class="cards">{polls.map((p, i) => <PollCard key={p.id} poll={p} canEdit={canEdit} turnout={turnout && i < TURNOUT_CARDS} />)}</ul>;
}
