// The signed-in person: name, roles (titles from the API), home territory and area of responsibility.
import "../styles/site.css";
import { mountStaffPage, useStaff } from "../shell/staff";
import { isStaff } from "../shell/nav";

type Territory = { name: string; official_name?: string | null };

function territoryLabel(t: Territory | null | undefined): string {
  if (!t) return "";
  return t.official_name && t.official_name !== t.name ? `${t.name} (${t.official_name})` : t.name;
}

function List({ items, empty }: { items: string[]; empty: string }) {
  return <ul class="plain-list">{(items.length ? items : [empty]).map((i) => <li key={i}>{i}</li>)}</ul>;
}

function Profile() {
  const { me } = useStaff();
  const staff = isStaff(me.roles);
  const chain = (me.territory_chain as Territory[] | undefined ?? []).slice(1).map((t) => t.name);
  return (
    <section id="profile" aria-label="Профиль">
      {!staff && (
        <div id="resident-note" class="notice notice-info">
          Эта учётная запись принадлежит жителю: у неё нет прав сотрудника, поэтому разделы кабинета ей недоступны.
        </div>
      )}
      <dl class="profile">
        <div class="profile-row"><dt>Имя</dt><dd id="profile-name">{me.display_name || "Житель"}</dd></div>
        <div class="profile-row"><dt>Роль</dt><dd id="profile-roles"><List items={me.role_titles ?? []} empty="Роль не назначена" /></dd></div>
        <div class="profile-row">
          <dt>Территория проживания</dt>
          <dd>
            <span id="profile-territory">{territoryLabel(me.territory as Territory | null) || "Не указана"}</span>
            {chain.length > 0 && <span class="muted">Входит в: {chain.join(", ")}</span>}
          </dd>
        </div>
        <div class="profile-row">
          <dt>Зона ответственности</dt>
          <dd id="profile-scope">
            <List items={(me.scope_territories as Territory[] | undefined ?? []).map(territoryLabel)}
              empty={staff ? "Не назначена" : "Нет — жители не управляют территориями"} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

mountStaffPage({ title: "Мой профиль", anyone: true }, Profile);
