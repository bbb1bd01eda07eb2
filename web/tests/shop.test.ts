import { describe, expect, it } from "vitest";
import { bodyOf, byFormField, emptyForm, formErrors, itemState, knownPartners } from "../admin/src/parts/shop/model";
import { cleanCode, looksLikeCode } from "../admin/src/parts/shop/qr";
import { placed, territoryNames, type Territory } from "../admin/src/parts/territories";

const NOW = new Date("2026-12-01T12:00:00Z");
const item = { active: true, valid_from: "2026-11-01T00:00:00Z", valid_until: "2027-01-01T00:00:00Z", stock: 5 };

describe("an item's state at a glance", () => {
  it("is on sale when active, within its dates and in stock", () => {
    expect(itemState(item, NOW).key).toBe("on-sale");
  });
  it("names the first reason residents cannot order it", () => {
    expect(itemState({ ...item, active: false, stock: 0 }, NOW).title).toBe("Скрыто");
    expect(itemState({ ...item, valid_from: "2026-12-02T00:00:00Z" }, NOW).key).toBe("upcoming");
    expect(itemState({ ...item, valid_until: "2026-12-01T12:00:00Z" }, NOW).key).toBe("expired");
    expect(itemState({ ...item, stock: 0 }, NOW).title).toBe("Закончилось");
  });
});

describe("the reward editor's form", () => {
  it("marks every missing field before asking the API", () => {
    expect(Object.keys(formErrors(emptyForm())).sort()).toEqual(
      ["partner", "price", "stock", "territory_ids", "title", "valid_from", "valid_until"]);
  });
  it("wants the end after the start, and whole numbers", () => {
    const form = { ...emptyForm(), title: "Билет", partner: "Зоопарк", price: "1.5", stock: "3",
      valid_from: "2026-12-02T00:00:00Z", valid_until: "2026-12-01T00:00:00Z", territory_ids: ["go-chelyabinsk"] };
    expect(formErrors(form)).toEqual({ price: "Целое число баллов, не меньше 1", valid_until: "Должно быть позже начала" });
  });
  it("sends trimmed text and numbers", () => {
    const form = { ...emptyForm(), title: " Билет ", partner: "Зоопарк ", price: "150", stock: " 0 ",
      valid_from: "2026-12-01T00:00:00Z", valid_until: "2026-12-31T00:00:00Z", territory_ids: ["go-chelyabinsk"] };
    expect(bodyOf(form)).toMatchObject({ title: "Билет", partner: "Зоопарк", price: 150, stock: 0, active: true });
  });
  it("puts a 422's nested field errors on the field they belong to, once", () => {
    expect(byFormField({ "territory_ids.0": "неверный код", "territory_ids.1": "ещё", price: "мало" }))
      .toEqual({ territory_ids: "неверный код", price: "мало" });
  });
  it("suggests each partner once, in Russian order", () => {
    expect(knownPartners([{ partner: "Театр" }, { partner: "Зоопарк" }, { partner: "Театр" }])).toEqual(["Зоопарк", "Театр"]);
  });
});

describe("redemption codes", () => {
  it("accepts a code typed in any case with spaces or dashes", () => {
    expect(cleanCode("abcd efgh-ijkl")).toBe("ABCDEFGHIJKL");
    expect(looksLikeCode("abcd efgh ijkl mnop qrst uvwx 22")).toBe(true);
    expect(looksLikeCode("ABCDEFGHIJKLMNOPQRSTUVWX18")).toBe(false);
  });
});

describe("the territory tree for pickers", () => {
  const all: Territory[] = [
    { id: "region", name: "Область", kind: "region", parent_id: null },
    { id: "a", name: "Район А", kind: "municipal_district", parent_id: "region" },
    { id: "a1", name: "Посёлок А1", kind: "urban_settlement", parent_id: "a" },
    { id: "b", name: "Округ Б", kind: "urban_district", parent_id: "region" },
  ];
  it("lists everything depth-first for the administrator", () => {
    expect(placed(all, null).map((t) => `${t.depth}:${t.id}`)).toEqual(["0:region", "1:a", "2:a1", "1:b"]);
  });
  it("lists a moderator's scope and what lies in it, each once", () => {
    expect(placed(all, ["a1", "a"]).map((t) => `${t.depth}:${t.id}`)).toEqual(["0:a", "1:a1"]);
  });
  it("names ids, keeping unknown ones", () => {
    expect(territoryNames(all, ["b", "zzz"])).toEqual(["Округ Б", "zzz"]);
  });
});
