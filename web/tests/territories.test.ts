import { describe, expect, it } from "vitest";
import { childrenOf, createBody, emptyForm, localErrors, wholeNumber, type RegistryItem } from "../admin/src/parts/territories/model";

describe("territory form", () => {
  it("reads numbers typed with thousands spaces", () => {
    expect(wholeNumber("1 250")).toBe(1250);
    expect(wholeNumber("")).toBeNull();
    expect(wholeNumber("12,5")).toBeNaN();
  });

  it("asks for population and year together, and a valid ОКТМО", () => {
    const form = { ...emptyForm("mr-ashinsky"), name: "Ук", population: "900", oktmo: "123" };
    expect(localErrors(form)).toEqual({ population_year: "Укажите год, к которому относится численность.", oktmo: "8 или 11 цифр." });
    expect(localErrors({ ...form, population_year: "2024", oktmo: "75603000" })).toEqual({});
  });

  it("sends empty facts as null", () => {
    expect(createBody({ ...emptyForm("mr-ashinsky"), name: " Ук " })).toEqual({
      name: "Ук", kind: "rural_settlement", parent_id: "mr-ashinsky", id: null,
      official_name: null, oktmo: null, population: null, population_year: null,
    });
  });

  it("lists retired territories after the active ones", () => {
    const t = (id: string, retired_at: string | null) => ({ id, parent_id: "d", retired_at }) as RegistryItem;
    expect(childrenOf([t("a", "2026-01-01T00:00:00Z"), t("b", null)], "d").map((x) => x.id)).toEqual(["b", "a"]);
  });
});
