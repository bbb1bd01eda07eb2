// The poll editor's form logic: the API body made of what was typed, the API's 422 field paths
// placed beside the inputs they name (once, in plain Russian), and the breakdown's hidden cells.
import { describe, expect, it } from "vitest";
import { bodyOf, formOf, localErrors, newForm, placeErrors, type PollForm } from "../admin/src/parts/polls/form";
import { cellText } from "../admin/src/parts/polls/BreakdownTables";
import { clip } from "../admin/src/parts/polls/BarChart";
import type { Poll } from "../admin/src/parts/polls/types";

const opt = (text: string) => ({ text, image: null });
const form = (): PollForm => ({
  ...newForm(new Date("2026-12-01T10:20:00Z")), title: " Фонари ", territory_ids: ["mr-satkinsky"],
  questions: [
    { text: "Где?", kind: "single", min: "1", max: "", options: [opt("У пруда"), opt("")] },
    { text: "Что ещё?", kind: "multiple", min: "1", max: "2", options: [opt("a"), opt("b"), opt("c")] },
  ],
});

describe("poll form", () => {
  it("starts a new draft tomorrow on the hour, for a week", () => {
    const f = newForm(new Date("2026-12-01T10:20:00Z"));
    expect(f.opens_at).toBe("2026-12-02T11:00:00Z");
    expect(f.closes_at).toBe("2026-12-09T11:00:00Z");
    expect(f.questions).toHaveLength(1);
  });

  it("makes the API body: trimmed, single choice as exactly one, multiple with its limits", () => {
    const body = bodyOf(form());
    expect(body.title).toBe("Фонари");
    expect(body.min_age).toBe(14);
    expect(body.questions[0]).toEqual({ text: "Где?", kind: "single", min_choices: 1, max_choices: 1, options: [{ text: "У пруда", image: null }, { text: "", image: null }] });
    expect(body.questions[1]).toMatchObject({ kind: "multiple", min_choices: 1, max_choices: 2 });
    const open = { ...form(), questions: [{ ...form().questions[1], max: "" }] };
    expect(bodyOf(open).questions[0].max_choices).toBeNull();
  });

  it("names what it can before asking the API", () => {
    const f = { ...form(), opens_at: null, closes_at: "", min_age: "шестнадцать" };
    f.questions[1] = { ...f.questions[1], min: "x" };
    expect(localErrors(f)).toEqual({
      opens_at: "Введите дату и время в виде дд.мм.гггг чч:мм.", closes_at: "Укажите окончание голосования.",
      min_age: "Введите целое число лет.", "questions.1.min_choices": "Введите целое число.",
    });
    expect(localErrors(form())).toEqual({});
  });

  it("reads a stored poll back into the form", () => {
    const poll = {
      title: "T", description: "", territory_ids: ["gp-satka"], opens_at: "2026-12-01T10:00:00Z", closes_at: "2026-12-02T10:00:00Z",
      min_age: 16, results_visibility: "after_vote",
      questions: [{ id: "q1", text: "Q", kind: "multiple", min_choices: 1, max_choices: 3, options: [{ id: "q1-o1", text: "a" }, { id: "q1-o2", text: "b" }, { id: "q1-o3", text: "c" }] }],
    } as unknown as Poll;
    const f = formOf(poll);
    expect(f.min_age).toBe("16");
    expect(f.questions[0]).toEqual({ text: "Q", kind: "multiple", min: "1", max: "", options: [opt("a"), opt("b"), opt("c")] });
  });
});

describe("422 errors beside their inputs", () => {
  it("puts an option's error on that option, once, in plain Russian", () => {
    const { fields, rest } = placeErrors(form(), [
      { field: "questions.0.options.1.text", detail: "поле не может быть пустым" },
      { field: "questions.0.options.1.text", detail: "максимум 300 символов" },
      { field: "territory_ids", detail: "элементов должно быть не меньше: 1" },
    ]);
    expect(fields).toEqual({ "questions.0.options.1.text": "Заполните это поле.", territory_ids: "Выберите хотя бы одну территорию." });
    expect(rest).toEqual([]);
  });

  it("says model-level rules about the inputs they concern, without the API's field names", () => {
    const { fields } = placeErrors(form(), [
      { field: "body", detail: "Value error, closes_at должно быть позже opens_at" },
      { field: "questions.1", detail: "Value error, max_choices больше числа вариантов ответа" },
      { field: "questions.1", detail: "Value error, min_choices больше max_choices" },
    ]);
    expect(fields).toEqual({
      closes_at: "Окончание голосования должно быть позже начала.",
      "questions.1.max_choices": "Больше, чем вариантов ответа в вопросе.",
      "questions.1.min_choices": "Минимум больше максимума.",
    });
  });

  it("climbs to the nearest input it knows; what names none goes to the top", () => {
    const { fields, rest } = placeErrors(form(), [
      { field: "territory_ids.0", detail: "неверный формат" },
      { field: "questions.0.options", detail: "варианты ответа повторяются" },
      { field: "image_url", detail: "неверный формат" },
    ]);
    expect(fields).toEqual({ territory_ids: "Неверный формат.", "questions.0.options": "Варианты ответа повторяются." });
    expect(rest).toEqual(["Неверный формат."]);
  });
});

describe("results", () => {
  it("shows a suppressed cell only as «скрыто»", () => {
    expect(cellText({ count: null })).toBe("скрыто");
    expect(cellText({ count: 12345 })).toBe("12\u00a0345");
  });

  it("clips long chart labels", () => {
    expect(clip("короткий")).toBe("короткий");
    expect(clip("x".repeat(80))).toHaveLength(56);
  });
});
