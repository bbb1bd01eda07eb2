// Notifications on this device (Web Push, docs/decisions/018): МЧС bulletins and new polls for the
// resident's territory once switched on here, and the result and execution updates of the polls
// the resident follows (FollowPoll). The browser's push service gets an endpoint; the API keeps it
// with the resident's territory and removes it when the push service says it is gone.
import { useEffect, useState } from "preact/hooks";
import { messageOf } from "@shared/problems";
import { ErrorBox } from "@shared/ui/feedback";
import { api, data } from "../app/api";

type State = "unsupported" | "denied" | "off" | "on" | "working";

function supported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** The VAPID key (base64url) as the bytes PushManager.subscribe() takes. */
export function applicationServerKey(base64url: string): Uint8Array {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

export function Notifications() {
  const [state, setState] = useState<State>(supported() ? "working" : "unsupported");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!supported()) return;
    if (Notification.permission === "denied") {
      setState("denied");
      return;
    }
    (async () => {
      try {
        const subscription = await currentSubscription();
        if (!subscription) {
          setState("off");
          return;
        }
        const status = await data((await api()).GET("/v1/me/push", { params: { query: { endpoint: subscription.endpoint } } }));
        setState(status.subscribed ? "on" : "off");
      } catch (e) {
        setState("off");
        setError(messageOf(e));
      }
    })();
  }, []);

  const switchOn = async () => {
    setError(null);
    setState("working");
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        setState(permission === "denied" ? "denied" : "off");
        return;
      }
      const client = await api();
      const { public_key } = await data(client.GET("/v1/push/key"));
      const registration = await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      try {
        subscription ??= await registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: applicationServerKey(public_key) as BufferSource,
        });
      } catch {
        // The browser's own push service refused or cannot be reached (its message is not for people).
        throw new Error("Браузер не смог подключиться к своему сервису уведомлений. Попробуйте позже или в другом браузере.");
      }
      const json = subscription.toJSON();
      await data(client.PUT("/v1/me/push/subscription", {
        body: {
          endpoint: subscription.endpoint, expirationTime: json.expirationTime ?? null,
          keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" },
        },
      }));
      setState("on");
    } catch (e) {
      setState("off");
      setError(messageOf(e));
    }
  };

  const switchOff = async () => {
    setError(null);
    setState("working");
    try {
      const subscription = await currentSubscription();
      if (subscription) {
        await data((await api()).DELETE("/v1/me/push/subscription", { body: { endpoint: subscription.endpoint } }));
        await subscription.unsubscribe();
      }
      setState("off");
    } catch (e) {
      setState("on");
      setError(messageOf(e));
    }
  };

  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Уведомления</h2>
      <p class="hint">Бюллетени МЧС и новые опросы для вашей территории, а также итоги и ход исполнения решений по опросам, за которыми вы следите.</p>
      <ErrorBox text={error} />
      {state === "unsupported" && <p>Этот браузер не поддерживает уведомления. На телефоне установите приложение на главный экран или откройте его в Chrome.</p>}
      {state === "denied" && <p>Уведомления запрещены в настройках браузера. Разрешите их для этого сайта, чтобы получать бюллетени МЧС.</p>}
      {state === "on" && (
        <>
          <p id="push-state" class="notice notice-ok">Уведомления включены на этом устройстве.</p>
          <button class="button button-secondary" type="button" onClick={switchOff}>Отключить уведомления</button>
        </>
      )}
      {state === "off" && (
        <>
          <p id="push-state">Уведомления на этом устройстве выключены.</p>
          <button id="push-on" class="button" type="button" onClick={switchOn}>Включить уведомления</button>
        </>
      )}
      {state === "working" && <p id="push-state" role="status">Проверяем уведомления…</p>}
    </section>
  );
}
