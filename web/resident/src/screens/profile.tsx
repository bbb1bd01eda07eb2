// The resident's profile: who the API knows them as (name, territory, year of birth — from
// Госуслуги), notifications on this device, and signing out.
import { useLoad } from "@shared/ui/load";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import { api, data, isSignInNeeded } from "../app/api";
import type { Route } from "../app/router";
import { residentSession, signOut } from "../app/session";
import { Screen, SignInNeeded } from "../app/shell";
import { Notifications } from "../parts/notifications";

export function ProfileScreen(_props: { route: Route }) {
  const me = useLoad(async () => data((await api()).GET("/v1/me")), []);
  const name = residentSession.read()?.name;
  return (
    <Screen title="Профиль" tab="profile">
      <StatusLine text={me.loading ? "Загрузка…" : ""} />
      {me.error && (isSignInNeeded(me.failure) ? <SignInNeeded /> : <ErrorBox text={me.error} />)}
      {me.data && (
        <dl class="facts">
          {(me.data.display_name || name) && (<><dt>Имя</dt><dd>{me.data.display_name || name}</dd></>)}
          <dt>Территория</dt>
          <dd>{me.data.territory_chain.map((t) => t.name).join(" → ") || "не указана"}</dd>
          <dt>Год рождения</dt>
          <dd>{me.data.birth_year ?? "не указан"}</dd>
        </dl>
      )}
      <Notifications />
      <h2>Проверка голоса</h2>
      <p>Квитанции ваших голосов хранятся на этом устройстве. <a href="#/check">Проверить голос и пересчитать итоги</a></p>
      <p><button id="signout" class="button button-secondary" type="button" onClick={signOut}>Выйти</button></p>
    </Screen>
  );
}
