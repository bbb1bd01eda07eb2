// The frame of every signed-in page: loads the settings, the session and the person (/v1/me),
// sends the signed-out to sign-in, and gives the page a typed API client and the person's roles.
import { createContext, render, type ComponentChildren, type FunctionComponent } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { createApi, data, type Api } from "@shared/api/client";
import { loadConfig, type SiteConfig } from "@shared/config";
import { messageOf, ApiError } from "@shared/problems";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import { adminSession } from "./session";
import { Frame } from "./frame";
import { isStaff, type Role } from "./nav";
import type { paths } from "@shared/api/client";

export type Me = paths["/v1/me"]["get"]["responses"]["200"]["content"]["application/json"];

export type Staff = {
  config: SiteConfig;
  api: Api;
  me: Me;
  has: (...roles: Role[]) => boolean;
  /** Report work in progress: the status line reads «Загрузка…» while any page part is busy. */
  setBusy: (key: string, busy: boolean) => void;
};

const StaffContext = createContext<Staff | null>(null);

export function useStaff(): Staff {
  const staff = useContext(StaffContext);
  if (!staff) throw new Error("useStaff outside a staff page");
  return staff;
}

/** Mark the page busy while `flag` holds (the status line says so; tests wait for it to clear). */
export function useBusy(key: string, flag: boolean): void {
  const { setBusy } = useStaff();
  useEffect(() => {
    setBusy(key, flag);
    return () => setBusy(key, false);
  }, [key, flag]);
}

// `roles`: who may use the page (any of); `anyone`: a page every signed-in person may open (profile).
type PageOptions = { title: string; roles?: readonly Role[]; anyone?: boolean };

function StaffPage({ title, roles, anyone, Page }: PageOptions & { Page: FunctionComponent }) {
  const [staff, setStaff] = useState<Staff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusyKeys] = useState<Set<string>>(new Set(["me"]));
  const setBusy = (key: string, on: boolean) =>
    setBusyKeys((keys) => {
      if (keys.has(key) === on) return keys;
      const next = new Set(keys);
      if (on) next.add(key); else next.delete(key);
      return next;
    });

  useEffect(() => {
    const session = adminSession.read();
    if (!session) {
      window.location.replace("/");
      return;
    }
    (async () => {
      try {
        const config = await loadConfig();
        const api = createApi(config.apiBase, session.token);
        const me = await data(api.GET("/v1/me"));
        const held = new Set(me.roles);
        setStaff({ config, api, me, has: (...r) => r.some((x) => held.has(x)), setBusy });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          adminSession.clear();
          window.location.replace("/");
          return;
        }
        setError(messageOf(e));
      } finally {
        setBusy("me", false);
      }
    })();
  }, []);

  let body: ComponentChildren = null;
  if (staff && !anyone && !isStaff(staff.me.roles)) {
    body = <p class="notice notice-info">У этой учётной записи нет прав сотрудника: разделы кабинета ей недоступны.</p>;
  } else if (staff && roles && !staff.has(...roles)) {
    body = <p class="notice notice-info">Этот раздел вашей роли недоступен. Выберите раздел в меню.</p>;
  } else if (staff) {
    body = <Page />;
  }
  return (
    <StaffContext.Provider value={staff}>
      <Frame title={title} me={staff?.me ?? null}>
        <StatusLine text={busy.size ? "Загрузка…" : ""} />
        <ErrorBox text={error} />
        {body}
      </Frame>
    </StaffContext.Provider>
  );
}

/** Render a signed-in page: `roles` (any of) may use it; others are told so and see no controls. */
export function mountStaffPage(options: PageOptions, Page: FunctionComponent): void {
  document.title = `${options.title} — Активный житель 74`;
  render(<StaffPage {...options} Page={Page} />, document.getElementById("app")!);
}
