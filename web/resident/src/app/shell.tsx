// The frame of every screen: skip link, the app bar (the screen's title, a way back), the notice
// when there is no connection, and the tab bar at the bottom (at the side on a desktop).
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { formatDateTime } from "@shared/time";
import { useOnline } from "./online";
import { link } from "./router";
import { signedIn } from "./session";

export const TABS = [
  { id: "polls", title: "Опросы", icon: "M4 5h16v2H4zm0 6h16v2H4zm0 6h10v2H4z" },
  { id: "feed", title: "Лента", icon: "M5 4h14v16H5zm2 2v3h10V6zm0 5v2h10v-2zm0 4v2h7v-2z" },
  { id: "events", title: "Афиша", icon: "M6 3v2H4v15h16V5h-2V3h-2v2H8V3zm-0 6h12v9H6z" },
  { id: "rewards", title: "Баллы", icon: "M12 2l3 6 6.5 1-4.7 4.6 1.1 6.4L12 17l-5.9 3 1.1-6.4L2.5 9 9 8z" },
  { id: "profile", title: "Профиль", icon: "M12 12a5 5 0 100-10 5 5 0 000 10zm-8 10c0-4.4 3.6-8 8-8s8 3.6 8 8z" },
] as const;

export type TabId = (typeof TABS)[number]["id"];

type ScreenProps = {
  title: string;
  tab?: TabId;
  /** Where «Назад» leads (a hash link), for screens below a tab. */
  back?: { href: string; label: string };
  children: ComponentChildren;
};

export function Screen({ title, tab, back, children }: ScreenProps) {
  const online = useOnline();
  useEffect(() => {
    document.title = `${title} — Активный житель 74`;
  }, [title]);
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Перейти к содержимому
      </a>
      <header class="app-bar">
        <div class="app-bar-row">
          {back && <a class="back-link" href={back.href}>‹ {back.label}</a>}
          <p class="app-name">Активный житель 74</p>
        </div>
      </header>
      {!online && (
        <p class="offline-bar" role="status">Нет связи с интернетом. Голосовать и заказывать можно только при подключении.</p>
      )}
      <main id="main" class="screen" tabIndex={-1}>
        <h1 id="screen-title">{title}</h1>
        {children}
      </main>
      {signedIn() && <TabBar current={tab} />}
    </>
  );
}

function TabBar({ current }: { current?: TabId }) {
  return (
    <nav class="tab-bar" aria-label="Разделы приложения">
      <ul>
        {TABS.map((t) => (
          <li key={t.id}>
            <a href={link(t.id)} aria-current={t.id === current ? "page" : undefined}>
              <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d={t.icon} /></svg>
              <span>{t.title}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Shown above data that came from the device, not the server. */
export function SavedNotice({ savedAt }: { savedAt: string | null }) {
  if (!savedAt) return null;
  return (
    <p class="notice notice-offline" role="status">
      Нет связи — показаны сохранённые данные <span class="nowrap">(от {formatDateTime(savedAt)})</span>
    </p>
  );
}

/** For a screen that needs a signed-in resident when there is none (or the token expired). */
export function SignInNeeded() {
  return (
    <div class="notice notice-info">
      <p>Чтобы продолжить, войдите через Госуслуги 74.</p>
      <p><a class="button" href={link("signin")}>Войти</a></p>
    </div>
  );
}
