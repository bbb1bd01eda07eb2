// The approval queue: every poll and every feed item awaiting the Directorate, each with what changed
// since its last rejection and the decision (approve, or reject with a comment). Four eyes: an
// approver who wrote a version sees why another approver must decide instead of the buttons working.
import "../styles/site.css";
import "../styles/content.css";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { Notice, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import type { Poll } from "../parts/polls/types";
import { TYPE_TITLES, type Change, type ContentItem, type HistoryEntry } from "../parts/content/model";
import { useDeskData, type DeskData } from "../parts/content/desk-data";
import { ContentDetails, HistoryList, PartError } from "../parts/content/view";
import { ChangesTable } from "../parts/review/changes";
import { DecisionForm } from "../parts/review/decision";
import { fourEyesReason } from "../parts/review/four-eyes";

type ReviewPoll = Poll & { changes_since_review?: Change[] };
type Queue = { polls: ReviewPoll[]; content: ContentItem[] };

const DONE = { approve: "Согласовано.", reject: "Отклонено: автор увидит комментарий." };

function submittedAt(history: HistoryEntry[]): string | undefined {
  return [...history].reverse().find((h) => h.action === "submit")?.at;
}

function PollSummary({ poll }: { poll: ReviewPoll }) {
  return (
    <dl class="profile content-details">
      <div class="profile-row"><dt>Голосование</dt><dd>с <Time value={poll.opens_at} /> до <Time value={poll.closes_at} /></dd></div>
      <div class="profile-row"><dt>Возраст участников</dt><dd>от {poll.min_age} лет</dd></div>
      <div class="profile-row"><dt>Описание</dt><dd><p class="content-body">{poll.description}</p></dd></div>
      <div class="profile-row">
        <dt>Вопросы</dt>
        <dd>
          <ol class="review-questions">
            {poll.questions.map((q) => (
              <li key={q.id}>{q.text}<ul>{q.options.map((o) => <li key={o.id}>{o.text}</li>)}</ul></li>
            ))}
          </ol>
        </dd>
      </div>
    </dl>
  );
}

type ItemProps = {
  kind: "poll" | "content"; id: string; heading: string; territories: string; history: HistoryEntry[];
  changes: Change[]; createdBy: string; desk: DeskData; children: ComponentChildren;
};

function ReviewItem({ kind, id, heading, territories, history, changes, createdBy, desk, children }: ItemProps) {
  const { api, me } = useStaff();
  const [done, setDone] = useState<string | null>(null);
  const blocked = fourEyesReason({ created_by: createdBy, history }, me.id);
  const decide = async (action: "approve" | "reject", comment: string | null) => {
    const body = { comment };
    const poll = { params: { path: { poll_id: id } }, body };
    const content = { params: { path: { content_id: id } }, body };
    if (kind === "poll" && action === "approve") await data(api.POST("/v1/admin/polls/{poll_id}/approve", poll));
    if (kind === "poll" && action === "reject") await data(api.POST("/v1/admin/polls/{poll_id}/reject", poll));
    if (kind === "content" && action === "approve") await data(api.POST("/v1/admin/content/{content_id}/approve", content));
    if (kind === "content" && action === "reject") await data(api.POST("/v1/admin/content/{content_id}/reject", content));
    setDone(DONE[action]);
  };
  return (
    <article class="review-item" data-kind={kind} data-id={id} aria-labelledby={`heading-${id}`}>
      <h2 id={`heading-${id}`}>{heading}</h2>
      <p class="muted">{territories} · отправлен на согласование <Time value={submittedAt(history)} /></p>
      {done ? <Notice>{done}</Notice> : (
        <>
          {children}
          <h3>Что изменилось</h3>
          <ChangesTable changes={changes} names={desk.names} />
          <details class="review-history">
            <summary>История согласования</summary>
            <HistoryList history={history} roleTitles={desk.roleTitles} />
          </details>
          <DecisionForm id={id} blocked={blocked} decide={decide} />
        </>
      )}
    </article>
  );
}

function Review() {
  const { api } = useStaff();
  const { desk, error: deskError } = useDeskData();
  const queue = useLoad<Queue>(async () => {
    const [polls, content] = await Promise.all([
      data(api.GET("/v1/admin/polls", { params: { query: { state: "in_review", limit: 50 } } })),
      data(api.GET("/v1/admin/content", { params: { query: { state: "in_review", limit: 50 } } })),
    ]);
    return { polls: polls.items as unknown as ReviewPoll[], content: content.items as unknown as ContentItem[] };
  }, []);
  useBusy("queue", queue.loading);
  const q = queue.data;
  return (
    <>
      <PartError id="queue-error" text={queue.error ?? deskError} />
      {q && desk && (
        <section id="queue" aria-label="Очередь согласования">
          <p class="muted">
            {q.polls.length + q.content.length
              ? `Ждут решения: опросов — ${q.polls.length}, материалов ленты — ${q.content.length}.`
              : "Очередь пуста: всё рассмотрено."}
          </p>
          {q.polls.map((p) => (
            <ReviewItem key={p.id} kind="poll" id={p.id} heading={`Опрос: ${p.title}`} desk={desk}
              territories={desk.names(p.territory_ids).join(", ")} history={p.history}
              changes={p.changes_since_review ?? []} createdBy={p.created_by}>
              <PollSummary poll={p} />
            </ReviewItem>
          ))}
          {q.content.map((c) => (
            <ReviewItem key={c.id} kind="content" id={c.id} heading={`${TYPE_TITLES[c.type]}: ${c.title}`} desk={desk}
              territories={desk.names(c.territory_ids).join(", ")} history={c.history}
              changes={c.changes_since_review ?? []} createdBy={c.created_by}>
              <ContentDetails item={c} names={desk.names} />
            </ReviewItem>
          ))}
        </section>
      )}
    </>
  );
}

mountStaffPage({ title: "Очередь согласования", roles: ["approver"] }, Review);
