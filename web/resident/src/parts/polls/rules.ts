// A question's rules as the resident answers: a single choice takes one option, a multiple choice
// from min_choices to max_choices, and every question must be answered (the API's
// aj74.polls.model.normalize_answers refuses anything else). The form applies them as the person
// goes: ticking past the maximum is not possible, and each question says what it still needs.
import { countOf, formatCount } from "@shared/numbers";

export type Rule = { kind: "single" | "multiple"; min_choices: number; max_choices: number };
export type RuledQuestion = Rule & { id: string; text: string; options: { id: string; text: string }[] };
/** The chosen option ids per question id. */
export type Selection = Record<string, string[]>;

const OPTIONS: [string, string, string] = ["вариант", "варианта", "вариантов"];

/** After «до», «не больше»: the genitive (до 1 варианта, до 2 вариантов, до 21 варианта). */
function upTo(n: number): string {
  return `${formatCount(n)}\u00a0${n % 10 === 1 && n % 100 !== 11 ? "варианта" : "вариантов"}`;
}

/** The selection after the person ticks (or unticks) `optionId`: a single choice replaces, a
 *  multiple choice adds until the maximum and never beyond it. */
export function toggle(rule: Rule, chosen: readonly string[], optionId: string): string[] {
  if (rule.kind === "single" || rule.max_choices <= 1) return [optionId];
  if (chosen.includes(optionId)) return chosen.filter((o) => o !== optionId);
  if (chosen.length >= rule.max_choices) return [...chosen];
  return [...chosen, optionId];
}

/** Whether an unticked option may still be ticked (a multiple choice at its maximum locks the rest). */
export function canAdd(rule: Rule, chosen: readonly string[]): boolean {
  return rule.kind === "single" || rule.max_choices <= 1 || chosen.length < rule.max_choices;
}

/** The question's rule in words, shown under it. */
export function ruleText(rule: Rule): string {
  if (rule.kind === "single" || rule.max_choices <= 1) return "Выберите один вариант.";
  if (rule.min_choices === rule.max_choices) return `Выберите ${countOf(rule.max_choices, OPTIONS)}.`;
  if (rule.min_choices <= 1) return `Выберите от 1 до ${upTo(rule.max_choices)}.`;
  return `Выберите от ${rule.min_choices} до ${upTo(rule.max_choices)}.`;
}

/** What the question still needs (null: it is answered within its rule). */
export function problem(rule: Rule, chosen: readonly string[]): string | null {
  const min = Math.max(1, rule.min_choices);
  if (chosen.length === 0) return "Ответьте на этот вопрос.";
  if (chosen.length < min) return `Выберите ещё ${countOf(min - chosen.length, OPTIONS)}.`;
  if (chosen.length > rule.max_choices) return `Можно выбрать не больше ${upTo(rule.max_choices)}.`;
  return null;
}

/** How many are chosen against the maximum, for a multiple choice («Выбрано 1 из 2»). */
export function progressText(rule: Rule, chosen: readonly string[]): string {
  return rule.kind === "multiple" && rule.max_choices > 1 ? `Выбрано ${chosen.length} из ${rule.max_choices}.` : "";
}

/** Problems by question id; empty when the ballot may be sent. */
export function problems(questions: readonly RuledQuestion[], selection: Selection): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of questions) {
    const p = problem(q, selection[q.id] ?? []);
    if (p) out[q.id] = p;
  }
  return out;
}

/** The body's answers in the poll's order of questions and options. */
export function answers(questions: readonly RuledQuestion[], selection: Selection): { question_id: string; option_ids: string[] }[] {
  return questions.map((q) => ({
    question_id: q.id,
    option_ids: q.options.map((o) => o.id).filter((id) => (selection[q.id] ?? []).includes(id)),
  }));
}

/** The choices with their question and option texts, as the receipt keeps them. */
export function choiceTexts(questions: readonly RuledQuestion[], optionIds: readonly string[]): { question: string; options: string[] }[] {
  return questions
    .map((q) => ({ question: q.text, options: q.options.filter((o) => optionIds.includes(o.id)).map((o) => o.text) }))
    .filter((c) => c.options.length > 0);
}

/** The selection a stored set of option ids stands for (to start a change from the last choice). */
export function selectionOf(questions: readonly RuledQuestion[], optionIds: readonly string[]): Selection {
  const out: Selection = {};
  for (const q of questions) out[q.id] = q.options.map((o) => o.id).filter((id) => optionIds.includes(id));
  return out;
}
