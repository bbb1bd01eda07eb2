// The territory registry as the admin page works with it (GET/POST/PATCH /v1/admin/territories):
// records, the form of one territory, and the body sent for it.
export type RegistryItem = {
  id: string; name: string; kind: string; kind_title: string; parent_id: string | null; parent_name: string | null;
  official_name: string | null; oktmo: string | null; population: number | null; population_year: number | null;
  retired_at: string | null;
};
export type KindInfo = { kind: string; title: string; parent_kinds: string[] };
export type Registry = { version: number; source: string; editable: boolean; kinds: KindInfo[]; items: RegistryItem[] };

/** Kinds the registry adds below the districts the law fixes. */
export const NEW_KINDS = ["rural_settlement", "urban_settlement", "intracity_district"] as const;
/** Kinds that hold others: the region and its districts (the filter lists these). */
export const AREA_KINDS = ["region", "municipal_district", "urban_district"];
/** Which kinds the registry can retire (the region and the districts change only with the law). */
export const RETIRABLE = new Set<string>(NEW_KINDS);

export type TerritoryForm = {
  name: string; kind: string; parent_id: string; official_name: string; oktmo: string; population: string; population_year: string;
};

export function emptyForm(parent: string): TerritoryForm {
  return { name: "", kind: "rural_settlement", parent_id: parent, official_name: "", oktmo: "", population: "", population_year: "" };
}

export function formOf(t: RegistryItem): TerritoryForm {
  return {
    name: t.name, kind: t.kind, parent_id: t.parent_id ?? "", official_name: t.official_name ?? "", oktmo: t.oktmo ?? "",
    population: t.population === null ? "" : String(t.population),
    population_year: t.population_year === null ? "" : String(t.population_year),
  };
}

const text = (v: string): string | null => v.trim() || null;

/** A whole number typed by a person (spaces as thousands separators allowed); NaN when it is not one. */
export function wholeNumber(v: string): number | null {
  const digits = v.replace(/[\s\u00a0\u202f]/g, "");
  if (!digits) return null;
  return /^\d{1,9}$/.test(digits) ? Number(digits) : NaN;
}

/** Field errors the page finds before sending (the server checks the same). */
export function localErrors(f: TerritoryForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (f.name.trim().length < 2) errors.name = "Укажите название (не короче 2 символов).";
  if (f.oktmo.trim() && !/^(\d{8}|\d{11})$/.test(f.oktmo.trim())) errors.oktmo = "8 или 11 цифр.";
  const population = wholeNumber(f.population);
  const year = wholeNumber(f.population_year);
  if (Number.isNaN(population)) errors.population = "Целое число жителей.";
  if (Number.isNaN(year)) errors.population_year = "Год числом, например 2024.";
  if (population !== null && !Number.isNaN(population) && year === null) errors.population_year = "Укажите год, к которому относится численность.";
  if (year !== null && !Number.isNaN(year) && population === null) errors.population = "Укажите численность к этому году.";
  return errors;
}

export function facts(f: TerritoryForm) {
  return {
    official_name: text(f.official_name), oktmo: text(f.oktmo),
    population: wholeNumber(f.population), population_year: wholeNumber(f.population_year),
  };
}

export function createBody(f: TerritoryForm) {
  return { name: f.name.trim(), kind: f.kind as (typeof NEW_KINDS)[number], parent_id: f.parent_id, id: null, ...facts(f) };
}

export function patchBody(f: TerritoryForm) {
  return { name: f.name.trim(), ...facts(f) };
}

/** The record's children in the registry order: active first, then the retired ones. */
export function childrenOf(items: readonly RegistryItem[], parent: string): RegistryItem[] {
  const own = items.filter((t) => t.parent_id === parent);
  return [...own.filter((t) => !t.retired_at), ...own.filter((t) => t.retired_at)];
}
