// The polls dashboard, by role: a moderator's own polls by state (and «Новый опрос»); what awaits
// the Directorate's approval; polls being voted on; polls with results and their execution; the IT
// administrator's way to staff roles. Times are Chelyabinsk's.
import "../styles/site.css";
import "../styles/polls.css";
import { data } from "@shared/api/client";
import { useLoad } from "@shared/ui/load";
import { countOf } from "@shared/numbers";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { listPolls } from "../parts/polls/load";
import { PollList } from "../parts/polls/PollCard";
import { PageError } from "../parts/polls/common";
import { STATE_GROUPS, type Poll } from "../parts/polls/types";

const POLLS: [string, string, string] = ["опрос", "опроса", "опросов"];
const ITEMS: [string, string, string] = ["материал", "материала", "материалов"];

function MyPolls() {
  const { api, has } = useStaff();
  const { data: polls, error, loading } = useLoad(() => listPolls(api), []);
  useBusy("my-polls", loading);
  return (
    <section id="dash-moderator" aria-labelledby="dash-moderator-title">
      <h2 id="dash-moderator-title">Мои опросы</h2>
      <p><a class="button" href="/poll.html">Новый опрос</a></p>
      <PageError text={error} />
      <div id="my-polls">
        {polls && !polls.length && <p class="muted">Опросов пока нет. Создайте первый.</p>}
        {polls && STATE_GROUPS.map(([state, title]) => {
          const group = polls.filter((p) => p.state === state);
          if (!group.length) return null;
          return (
            <div key={state} class="poll-group">
              <h3>{title} ({group.length})</h3>
              <PollList polls={group} canEdit={has("moderator", "approver")} empty=""
                turnout={state === "open" || state === "final"} />
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Approvals() {
  const { api } = useStaff();
  const { data: counts, error, loading } = useLoad(async () => {
    const [polls, content] = await Promise.all([
      listPolls(api, "in_review"),
      data(api.GET("/v1/admin/content", { params: { query: { state: "in_review", limit: 50 } } })),
    ]);
    return { polls: polls.length, content: content.items.length, more: Boolean(content.next_cursor) };
  }, []);
  useBusy("approvals", loading);
  return (
    <section id="dash-approver" aria-labelledby="dash-approver-title">
      <h2 id="dash-approver-title">Ждут согласования</h2>
      <PageError text={error} />
      {counts && (
        <p id="queue-summary">
          {counts.polls + counts.content === 0 ? "Очередь пуста: всё рассмотрено."
            : `Ждут решения: ${countOf(counts.polls, POLLS)} и ${countOf(counts.content, ITEMS)} ленты${counts.more ? " (и ещё)" : ""}.`}
        </p>
      )}
      <p><a class="button" href="/review.html">Открыть очередь согласования</a></p>
    </section>
  );
}

function ByState({ state, title, empty }: { state: "open" | "final"; title: string; empty: string }) {
  const { api, has } = useStaff();
  const { data: polls, error, loading } = useLoad<Poll[]>(() => listPolls(api, state), [state]);
  useBusy(`polls-${state}`, loading);
  return (
    <section id={`dash-${state}`} aria-labelledby={`dash-${state}-title`}>
      <h2 id={`dash-${state}-title`}>{title}</h2>
      <PageError text={error} />
      {polls && <PollList id={`${state}-polls`} polls={polls} canEdit={has("moderator", "approver")} empty={empty} turnout />}
    </section>
  );
}

function Dashboard() {
  const { has } = useStaff();
  return (
    <>
      {has("moderator") && <MyPolls />}
      {has("approver") && <Approvals />}
      {!has("moderator") && (
        <>
          <ByState state="open" title="Идёт голосование" empty="Сейчас нет опросов с открытым голосованием." />
          <ByState state="final" title="Итоги и исполнение" empty="Опросов с подведёнными итогами пока нет." />
        </>
      )}
      {has("admin") && (
        <section id="dash-admin" aria-labelledby="dash-admin-title">
          <h2 id="dash-admin-title">Администрирование</h2>
          <p><a class="button" href="/staff.html">Роли и зоны ответственности сотрудников</a></p>
        </section>
      )}
    </>
  );
}

mountStaffPage({ title: "Опросы", roles: ["moderator", "approver", "admin", "analyst"] }, Dashboard);
