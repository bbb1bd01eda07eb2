// Staff assignments as the staff page handles them (GET/PUT /v1/admin/staff/{subject}).
import type { paths } from "@shared/api/client";

export type Assignment = paths["/v1/admin/staff/{subject}"]["get"]["responses"]["200"]["content"]["application/json"] & {
  pending?: { roles: string[]; role_titles: string[]; scope_territory_ids?: string[]; display_name?: string | null;
    partner?: string | null; requested_by: string; requested_at: string } | null;
};
export type RoleInfo = { role: string; title: string; staff: boolean; region_wide: boolean; grant_confirmed: boolean };

export type StaffForm = { display_name: string; roles: string[]; scope_territory_ids: string[]; partner: string };

export function formOf(a: Assignment): StaffForm {
  return { display_name: a.display_name ?? "", roles: [...a.roles], scope_territory_ids: [...a.scope_territory_ids], partner: a.partner ?? "" };
}

/** The PUT body: only what applies (a partner only with the cashier's role, a name only when given). */
export function bodyOf(f: StaffForm) {
  return {
    roles: f.roles as ("moderator" | "approver" | "admin" | "analyst" | "emergency" | "partner")[],
    scope_territory_ids: f.scope_territory_ids,
    display_name: f.display_name.trim() || null,
    partner: f.roles.includes("partner") && f.partner.trim() ? f.partner.trim() : null,
  };
}

/** Whether `me` may confirm `a`'s pending grant (not the one who asked, not the one who gains it). */
export function canConfirm(a: Assignment, me: string): { ok: boolean; reason?: string } {
  if (!a.pending) return { ok: false };
  if (a.pending.requested_by === me) return { ok: false, reason: "Подтверждает другой администратор: запрос сделали вы." };
  if (a.subject === me) return { ok: false, reason: "Своё назначение подтверждает другой администратор." };
  return { ok: true };
}
