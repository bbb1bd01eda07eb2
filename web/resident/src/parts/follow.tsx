// «Следить за опросом»: the final result and each execution update of this poll as notifications.
// Following is independent of voting: it reveals neither whether nor how the resident voted.
import { useEffect, useState } from "preact/hooks";
import { messageOf } from "@shared/problems";
import { api, data } from "../app/api";

export function FollowPoll({ pollId }: { pollId: string }) {
  const [following, setFollowing] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    (async () => {
      try {
        const status = await data((await api()).GET("/v1/me/push", { params: { query: {} } }));
        setFollowing(status.follows.includes(pollId));
      } catch {
        setFollowing(null);
      }
    })();
  }, [pollId]);

  if (following === null) return null;

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const client = await api();
      const params = { params: { path: { poll_id: pollId } } };
      const result = following
        ? await data(client.DELETE("/v1/me/push/follows/{poll_id}", params))
        : await data(client.PUT("/v1/me/push/follows/{poll_id}", params));
      setFollowing(result.following);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="follow">
      <label class="checkbox-row">
        <input id="follow-poll" type="checkbox" checked={following} disabled={busy} onChange={toggle} />
        <span>Сообщать об итогах и исполнении решения</span>
      </label>
      {!("Notification" in window) || Notification.permission !== "granted" ? (
        <p class="hint">Уведомления придут, если включить их в <a href="#/profile">профиле</a>.</p>
      ) : null}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
