// What a poll card and the poll page say about a poll in one glance: territories, end time,
// participants, and whether the resident can vote — and if not, why.
import { countOf } from "@shared/numbers";
import { Time } from "@shared/ui/feedback";
import type { Poll } from "./types";

const PEOPLE: [string, string, string] = ["человек", "человека", "человек"];

/** «Проголосовали 24 человека», or «не меньше 20 человек» while the count is rounded down. */
export function participantsText(p: Poll["participants"]): string {
  if (p.final || p.step <= 1) return `Проголосовали: ${countOf(p.count, PEOPLE)}`;
  if (p.count === 0) return `Проголосовали: меньше ${countOf(p.step, PEOPLE)}`;
  return `Проголосовали: не меньше ${countOf(p.count, PEOPLE)}`;
}

export function isOpen(poll: Pick<Poll, "state">): boolean {
  return poll.state === "open";
}

/** The resident's standing in one badge: voted, may vote, or why not. */
export function VoteStanding({ poll }: { poll: Poll }) {
  if (poll.voted) return <p class="vote-standing"><span class="badge badge-ok">Вы проголосовали</span></p>;
  if (poll.can_vote) return <p class="vote-standing"><span class="badge">Можно проголосовать</span></p>;
  if (!poll.cannot_vote_reason) return null;
  const closed = ["closed", "cancelled"].includes(poll.cannot_vote_reason.code) || poll.state === "final";
  return (
    <p class="vote-standing">
      <span class={closed ? "badge" : "badge badge-warn"}>{closed ? "Голосование завершено" : "Нельзя проголосовать"}</span>
      {!closed && <span class="vote-reason">{poll.cannot_vote_reason.detail}</span>}
    </p>
  );
}

export function PollFacts({ poll }: { poll: Poll }) {
  const ended = !isOpen(poll);
  return (
    <ul class="poll-facts">
      <li>{poll.territories.join(", ")}</li>
      <li>{ended ? "Голосование завершено" : "Голосование до"} <Time value={poll.closes_at} /></li>
      <li>{participantsText(poll.participants)}</li>
    </ul>
  );
}
