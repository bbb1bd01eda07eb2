import { describe, expect, it } from "vitest";
import { dayBound, object, what, who, type AuditEntry } from "../admin/src/parts/audit/entry";

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  seq: 7, at: "2026-12-01T17:42:00Z", actor: "staff-approver", actor_role: "approver",
  actor_role_title: "Согласующий (как назовёт API)", actor_name: null, action: "poll.approve",
  action_title: "согласование", target_type: "poll", target_id: "01JABCDEFGHJKMNPQRSTVWXYZ0", hash: "ab", ...over,
});

describe("an audit entry as a sentence", () => {
  it("names the person, else their account, else the system", () => {
    expect(who(entry({ actor_name: "Елена Кузнецова" }))).toBe("Елена Кузнецова");
    expect(who(entry())).toBe("учётная запись staff-approver");
    expect(who(entry({ actor: "scheduler", actor_role: "system" }))).toBe("Система (автоматически)");
  });

  it("says what was done to which object, in Russian", () => {
    expect(what(entry())).toBe("Согласование: опрос 01JABCDEFG…XYZ0");
    expect(object(entry({ target_type: "shop_item", target_id: "item-1" }))).toBe("поощрение каталога item-1");
  });
});

describe("a day typed in a filter", () => {
  it("is the whole Chelyabinsk day in UTC", () => {
    expect(dayBound("01.12.2026")).toBe("2026-11-30T19:00:00Z");
    expect(dayBound("01.12.2026", true)).toBe("2026-12-01T18:59:59Z");
    expect(dayBound("2026-12-01")).toBeNull();
  });
});
