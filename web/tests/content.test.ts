import { describe, expect, it } from "vitest";
import { ApiError } from "@shared/problems";
import { shownValue, splitErrors } from "../admin/src/parts/content/model";
import { formFields, toBody } from "../admin/src/parts/content/editor";
import { fourEyesReason } from "../admin/src/parts/review/four-eyes";

describe("four eyes in the approval queue", () => {
  const history = [
    { action: "edit", actor: "staff-mod-satka" },
    { action: "submit", actor: "staff-approver-2" },
    { action: "reject", actor: "staff-approver" },
  ];

  it("blocks the drafter, an editor and a submitter, not the approver who only decided before", () => {
    const item = { created_by: "staff-mod-satka", history };
    expect(fourEyesReason(item, "staff-mod-satka")).toMatch(/ваш черновик/);
    expect(fourEyesReason({ created_by: "x", history }, "staff-approver-2")).toMatch(/другой согласующий/);
    expect(fourEyesReason(item, "staff-approver")).toBeNull();
  });
});

describe("what changed, as people read it", () => {
  it("shows times in Chelyabinsk, territories by name and codes by their titles", () => {
    expect(shownValue("starts_at", "2026-12-01T17:42:00Z")).toBe("01.12.2026 22:42");
    expect(shownValue("territory_ids", ["gp-satka", "gp-bakal"], (ids) => ids.map((i) => i.toUpperCase())))
      .toBe("GP-SATKA, GP-BAKAL");
    expect(shownValue("severity", "danger")).toBe("Опасность");
    expect(shownValue("link", null)).toBe("—");
    expect(shownValue("title", "Субботник")).toBe("Субботник");
  });
});

describe("the content form", () => {
  it("sends only its type's fields, empty optionals as null", () => {
    const body = toBody("event", {
      title: " Лыжня России ", description: "Забег", starts_at: "2027-02-10T05:00:00Z", ends_at: "2027-02-10T09:00:00Z",
      venue: "Стадион", address: "ул. Ленина, 1", category: "sport", link: "", publish_at: "", body: "лишнее",
    }, ["gp-satka"]);
    expect(body).toEqual({
      type: "event", territory_ids: ["gp-satka"], title: "Лыжня России", publish_at: null, description: "Забег",
      starts_at: "2027-02-10T05:00:00Z", ends_at: "2027-02-10T09:00:00Z", venue: "Стадион", address: "ул. Ленина, 1",
      category: "sport", link: null,
    });
    expect(formFields("bulletin")).not.toContain("publish_at");
  });

  it("puts field errors beside the form's fields (the text field named body too) and the rest on top", () => {
    const error = new ApiError("Запрос содержит ошибки в 3 полях.", 422, [
      { field: "body", detail: "обязательное поле" }, { field: "territory_ids.0", detail: "неверный код" },
      { field: "severity", detail: "не из списка" },
    ]);
    const split = splitErrors(error, formFields("news"));
    expect(split.fields).toEqual({ body: "обязательное поле", territory_ids: "неверный код" });
    expect(split.top).toBe("не из списка");
    expect(splitErrors(new ApiError("Материал уже изменён", 409), formFields("news")))
      .toEqual({ fields: {}, top: "Материал уже изменён" });
  });
});
