import { describe, expect, it } from "vitest";
import { ApiError, messageOf, problemError } from "@shared/problems";

describe("API refusals", () => {
  it("takes the problem's Russian detail and its type", () => {
    const e = problemError(403, { type: "https://aj74/problems/not-eligible", title: "Доступ запрещён", detail: "Опрос не для вашей территории." });
    expect(e.message).toBe("Опрос не для вашей территории.");
    expect(e.code).toBe("not-eligible");
    expect(messageOf(e)).toBe("Опрос не для вашей территории.");
  });

  it("puts field errors beside their fields and says so once at the top", () => {
    const e = problemError(422, { detail: "Запрос содержит ошибки", errors: [
      { field: "closes_at", detail: "Окончание голосования должно быть позже начала" },
      { field: "closes_at", detail: "повтор" },
      { field: "title", detail: "поле не может быть пустым" },
    ] });
    expect(e.fieldErrors()).toEqual({ closes_at: "Окончание голосования должно быть позже начала", title: "поле не может быть пустым" });
    expect(e.summary()).toBe("Исправьте отмеченные поля.");
  });

  it("shows form-level errors as the summary", () => {
    const e = problemError(422, { detail: "x", errors: [{ field: "body", detail: "Нужен хотя бы один вопрос" }] });
    expect(e.summary()).toBe("Нужен хотя бы один вопрос");
  });

  it("never shows an empty message", () => {
    expect(problemError(502, null).message).toBe("Сервер ответил ошибкой (код 502).");
    expect(messageOf(new ApiError("", 0))).not.toBe("");
    expect(messageOf("??")).toBe("Сервер недоступен. Проверьте подключение и попробуйте ещё раз.");
  });
});
