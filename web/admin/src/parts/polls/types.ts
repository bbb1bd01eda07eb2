// What the poll routes answer, typed precisely where the contract types them loosely
// (GET/PATCH /v1/admin/polls/{id} and the list answer `{id, state}` and plain objects).
import type { paths } from "@shared/api/client";
import type { components } from "@shared/api/schema";
import type { Territory } from "../territories";

export type PollState = "draft" | "in_review" | "approved" | "rejected" | "open" | "closed" | "final" | "cancelled";
export type QuestionIn = components["schemas"]["QuestionIn"];
export type PollContentIn = components["schemas"]["PollContentIn"];

export type Question = {
  id: string; text: string; kind: "single" | "multiple"; min_choices: number; max_choices: number;
  options: { id: string; text: string; image?: { id: string; alt: string; url?: string } | null }[];
};

export type HistoryEntry = {
  action: string; actor: string; actor_role: string; at: string; from?: string; to?: string;
  comment?: string | null; version?: number;
};

export type Execution = NonNullable<Results["execution"]>;

/** A poll as staff see it (aj74.polls.service.staff_view). */
export type Poll = {
  id: string; state: PollState; state_title: string; version: number;
  title: string; description: string; image_url: string | null; territory_ids: string[];
  image?: { id: string; alt: string; url?: string } | null;
  opens_at: string; closes_at: string; min_age: number; results_visibility: "after_vote" | "after_close";
  questions: Question[]; territories: Territory[]; created_by: string; created_at: string;
  history: HistoryEntry[]; fingerprint: string | null; execution: Execution | null;
  informed_content_id: string | null;
};

export type Results = paths["/v1/admin/polls/{poll_id}/results"]["get"]["responses"]["200"]["content"]["application/json"];
export type ResultQuestion = NonNullable<Results["questions"]>[number];
export type Integrity = paths["/v1/admin/polls/{poll_id}/integrity"]["get"]["responses"]["200"]["content"]["application/json"];

/** A breakdown (aj74.polls.breakdown.published): a hidden cell's count is null. */
export type Cell = { count: number | null };
export type Breakdown = {
  dimension: string; title: string; threshold: number; total_ballots: number;
  questions: { question_id: string; text: string; options: { id: string; text: string }[];
    rows: { group: string; title: string; total: Cell; cells: Cell[] }[] }[];
};

/** Where each state's polls are listed on the moderator's dashboard, in this order. */
export const STATE_GROUPS: [PollState, string][] = [
  ["draft", "Черновики"], ["rejected", "Отклонённые — нужна доработка"], ["in_review", "На согласовании"],
  ["approved", "Согласованы, ждут начала"], ["open", "Идёт голосование"], ["closed", "Голосование завершено"],
  ["final", "Итоги подведены"], ["cancelled", "Отменённые"],
];

export const EDITABLE: readonly PollState[] = ["draft", "rejected"];
export const CANCELLABLE: readonly PollState[] = ["draft", "in_review", "approved", "rejected", "open"];
export const WITH_RESULTS: readonly PollState[] = ["open", "closed", "final"];

export const pollHref = (id: string) => `/poll.html?id=${encodeURIComponent(id)}`;
export const resultsHref = (id: string) => `/results.html?id=${encodeURIComponent(id)}`;

/** The `id` query parameter of this page ("" when absent). */
export function pageId(): string {
  return new URLSearchParams(window.location.search).get("id") ?? "";
}
