import { beforeEach, describe, expect, it } from "vitest";
import { attemptFor, isRetryable } from "../resident/src/app/attempts";
import { ReceiptStore, receiptText } from "../resident/src/parts/polls/receipts";
import {
  answers, canAdd, choiceTexts, problem, problems, progressText, ruleText, selectionOf, toggle, type RuledQuestion,
} from "../resident/src/parts/polls/rules";
import { parseReceipt } from "@shared/verify/merkle";

const single: RuledQuestion = {
  id: "q1", text: "Что сделать в первую очередь?", kind: "single", min_choices: 1, max_choices: 1,
  options: [{ id: "q1-o1", text: "Освещение" }, { id: "q1-o2", text: "Дорожка" }],
};
const multiple: RuledQuestion = {
  id: "q2", text: "Что ещё нужно?", kind: "multiple", min_choices: 1, max_choices: 2,
  options: [{ id: "q2-o1", text: "Скамейки" }, { id: "q2-o2", text: "Туалет" }, { id: "q2-o3", text: "Кафе" }],
};
const atLeastTwo: RuledQuestion = { ...multiple, id: "q3", min_choices: 2, max_choices: 3 };

describe("a question's rules as the resident answers", () => {
  it("a single choice keeps only the last option ticked", () => {
    expect(toggle(single, [], "q1-o1")).toEqual(["q1-o1"]);
    expect(toggle(single, ["q1-o1"], "q1-o2")).toEqual(["q1-o2"]);
  });

  it("a multiple choice adds and removes, and never goes past its maximum", () => {
    let chosen = toggle(multiple, [], "q2-o1");
    chosen = toggle(multiple, chosen, "q2-o2");
    expect(chosen).toEqual(["q2-o1", "q2-o2"]);
    expect(canAdd(multiple, chosen)).toBe(false);
    expect(toggle(multiple, chosen, "q2-o3")).toEqual(["q2-o1", "q2-o2"]);
    expect(toggle(multiple, chosen, "q2-o1")).toEqual(["q2-o2"]);
    expect(canAdd(multiple, ["q2-o2"])).toBe(true);
  });

  it("says the rule and what is still missing, in Russian with plurals", () => {
    expect(ruleText(single)).toBe("Выберите один вариант.");
    expect(ruleText(multiple)).toBe("Выберите от 1 до 2\u00a0вариантов.");
    expect(ruleText(atLeastTwo)).toBe("Выберите от 2 до 3\u00a0вариантов.");
    expect(ruleText({ ...multiple, min_choices: 2, max_choices: 2 })).toBe("Выберите 2\u00a0варианта.");
    expect(problem(single, [])).toBe("Ответьте на этот вопрос.");
    expect(problem(atLeastTwo, ["q2-o1"])).toBe("Выберите ещё 1\u00a0вариант.");
    expect(problem(multiple, ["q2-o1", "q2-o2", "q2-o3"])).toBe("Можно выбрать не больше 2\u00a0вариантов.");
    expect(problem(multiple, ["q2-o1"])).toBeNull();
    expect(progressText(multiple, ["q2-o1"])).toBe("Выбрано 1 из 2.");
    expect(progressText(single, ["q1-o1"])).toBe("");
  });

  it("requires every question, and builds the answers in the poll's order", () => {
    expect(Object.keys(problems([single, multiple], { q1: ["q1-o2"] }))).toEqual(["q2"]);
    expect(problems([single, multiple], { q1: ["q1-o2"], q2: ["q2-o3", "q2-o1"] })).toEqual({});
    expect(answers([single, multiple], { q1: ["q1-o2"], q2: ["q2-o3", "q2-o1"] })).toEqual([
      { question_id: "q1", option_ids: ["q1-o2"] }, { question_id: "q2", option_ids: ["q2-o1", "q2-o3"] }]);
  });

  it("turns option ids back into texts and into a selection to change", () => {
    expect(choiceTexts([single, multiple], ["q1-o1", "q2-o3"])).toEqual([
      { question: "Что сделать в первую очередь?", options: ["Освещение"] },
      { question: "Что ещё нужно?", options: ["Кафе"] }]);
    expect(selectionOf([single, multiple], ["q2-o2", "q1-o1"])).toEqual({ q1: ["q1-o1"], q2: ["q2-o2"] });
  });
});

describe("one Idempotency-Key per attempt", () => {
  let n = 0;
  const key = () => `k${++n}`;

  it("reuses the key for a retry of the same choices and takes a new one for new choices", () => {
    const first = attemptFor(null, "q1-o1", key);
    expect(attemptFor(first, "q1-o1", key)).toBe(first);
    const other = attemptFor(first, "q1-o2", key);
    expect(other.key).not.toBe(first.key);
  });

  it("retries only what may not have reached the API", () => {
    expect([0, 429, 503].map(isRetryable)).toEqual([true, true, true]);
    expect([403, 409, 422].map(isRetryable)).toEqual([false, false, false]);
  });
});

describe("receipts kept on the device", () => {
  const receipt = (commitment: string, options: string[]) => ({
    pollId: "01JPOLLAAAAAAAAAAAAAAAAAAA", title: "Набережная", ballotId: "b1",
    receipt: { poll_id: "01JPOLLAAAAAAAAAAAAAAAAAAA", ballot_id: "b1", commitment, option_ids: options },
    choices: [{ question: "Что сделать?", options: ["Освещение"] }], at: new Date().toISOString(),
  });

  beforeEach(() => localStorage.clear());

  it("are kept per resident, a changed ballot replacing the poll's earlier receipt", () => {
    const store = new ReceiptStore(localStorage);
    store.keep("res-1", receipt("a".repeat(64), ["q1-o1"]));
    expect(store.get("res-1", "01JPOLLAAAAAAAAAAAAAAAAAAA")?.changes).toBe(0);
    const changed = store.keep("res-1", receipt("b".repeat(64), ["q1-o2"]));
    expect(changed.changes).toBe(1);
    expect(store.list("res-1")).toHaveLength(1);
    expect(store.get("res-1", "01JPOLLAAAAAAAAAAAAAAAAAAA")?.receipt.option_ids).toEqual(["q1-o2"]);
    expect(store.list("res-2")).toEqual([]);
    store.keep("res-2", receipt("c".repeat(64), ["q1-o1"]));
    expect(store.all().map((r) => r.receipt.commitment).sort()).toEqual(["b".repeat(64), "c".repeat(64)]);
  });

  it("ignores what is not a receipt", () => {
    localStorage.setItem("aj74.receipts.res-3", "{не json");
    localStorage.setItem("aj74.receipts.res-4", JSON.stringify([{ pollId: 1 }]));
    const store = new ReceiptStore(localStorage);
    expect(store.list("res-3")).toEqual([]);
    expect(store.list("res-4")).toEqual([]);
  });

  it("gives a text the vote check reads back", () => {
    const text = receiptText(receipt("d".repeat(64), ["q1-o2"]).receipt);
    expect(parseReceipt(text)).toEqual({ pollId: "01JPOLLAAAAAAAAAAAAAAAAAAA", commitment: "d".repeat(64), optionIds: ["q1-o2"] });
  });
});
