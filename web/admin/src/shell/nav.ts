// The admin site's sections and who sees them; the header and the landing page after sign-in
// both read this list, so a section is added in one place. Role names are the API's
// (aj74/identity/roles.py); their titles come from the API too.

export type Role = "moderator" | "approver" | "admin" | "analyst" | "emergency" | "partner";

export type Section = { href: string; title: string; roles: readonly Role[] };

const READERS: Role[] = ["moderator", "approver", "admin", "analyst"];

export const SECTIONS: readonly Section[] = [
  { href: "/dashboard.html", title: "Опросы", roles: READERS },
  { href: "/review.html", title: "Согласование", roles: ["approver"] },
  { href: "/content.html", title: "Материалы ленты", roles: ["moderator", "approver"] },
  { href: "/bulletins.html", title: "Бюллетени МЧС", roles: ["emergency"] },
  { href: "/shop.html", title: "Каталог поощрений", roles: ["admin", "moderator"] },
  { href: "/counter.html", title: "Выдача поощрений", roles: ["partner", "admin"] },
  { href: "/staff.html", title: "Сотрудники", roles: ["admin"] },
  { href: "/territories.html", title: "Территории", roles: ["admin"] },
  { href: "/audit.html", title: "Журнал аудита", roles: READERS },
  { href: "/me.html", title: "Профиль", roles: ["moderator", "approver", "admin", "analyst", "emergency", "partner"] },
];

// The cabinet a person works in, by their first role in this order.
const CABINETS: [Role, string][] = [
  ["approver", "кабинет согласующего"],
  ["moderator", "кабинет модератора"],
  ["emergency", "кабинет оператора ГУ МЧС"],
  ["admin", "кабинет администратора"],
  ["analyst", "кабинет аналитика"],
  ["partner", "кабинет партнёра"],
];

export function cabinetName(roles: readonly string[]): string {
  return CABINETS.find(([role]) => roles.includes(role))?.[1] ?? "кабинет сотрудника";
}

export function sectionsFor(roles: readonly string[]): Section[] {
  return SECTIONS.filter((s) => s.roles.some((r) => roles.includes(r)));
}

/** Where a person lands after signing in: their first section (the profile if nothing else). */
export function landingFor(roles: readonly string[]): string {
  return sectionsFor(roles)[0]?.href ?? "/me.html";
}

export function isStaff(roles: readonly string[]): boolean {
  return CABINETS.some(([role]) => roles.includes(role));
}
