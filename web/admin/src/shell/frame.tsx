// The page frame shared by every admin page: skip link, the header naming the cabinet by role,
// navigation by role, the page's heading, and the footer. Public pages (sign-in, vote check, API
// reference) use it without a person.
import type { ComponentChildren } from "preact";
import { cabinetName, sectionsFor } from "./nav";
import { signOut } from "./session";

type Person = { display_name?: string | null; roles: string[] };

export function Frame({ title, me, children }: { title: string; me: Person | null; children: ComponentChildren }) {
  const here = window.location.pathname === "/" ? "/index.html" : window.location.pathname;
  const sections = me ? sectionsFor(me.roles) : [];
  // Public pages (sign-in, the vote check, the API reference) name the platform only.
  const siteTitle = me ? `Активный житель 74 — ${cabinetName(me.roles)}` : "Активный житель 74";
  return (
    <>
      <a class="skip-link" href="#main">Перейти к содержимому</a>
      <header class="site-header">
        <div class="container header-row">
          <p class="site-title"><a href={sections[0]?.href ?? "/"}>{siteTitle}</a></p>
          {me && (
            <div class="header-person">
              {me.display_name && <span class="header-name">{me.display_name}</span>}
              <button id="signout" class="button button-secondary" type="button" onClick={signOut}>Выйти</button>
            </div>
          )}
        </div>
        {sections.length > 0 && (
          <nav class="container site-nav" aria-label="Разделы кабинета">
            <ul id="nav" class="nav-list">
              {sections.map((s) => (
                <li key={s.href}><a href={s.href} aria-current={s.href === here ? "page" : undefined}>{s.title}</a></li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" class="container" tabIndex={-1}>
        <h1 id="page-heading" tabIndex={-1}>{title}</h1>
        {children}
      </main>
      <footer class="site-footer">
        <div class="container">
          <p>Челябинская область · платформа электронного участия «Активный житель 74»</p>
          <p><a href="/verify.html">Проверка итогов опроса и квитанции голоса</a></p>
          <p><a href="/api.html">Справочник API (OpenAPI)</a></p>
        </div>
      </footer>
    </>
  );
}
