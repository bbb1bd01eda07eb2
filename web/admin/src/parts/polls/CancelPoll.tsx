// Cancelling a poll: offered only to whom the workflow allows (its author's side before voting;
// the Directorate while voting runs), and only after a second, explicit confirmation.
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { messageOf } from "@shared/problems";
import { TextArea } from "@shared/ui/fields";
import { useStaff } from "../../shell/staff";
import { PageError, Reason } from "./common";
import { CANCELLABLE, type Poll } from "./types";

export function CancelPoll({ poll, onDone }: { poll: Poll; onDone: (p: Poll) => void }) {
  const { api, has } = useStaff();
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!CANCELLABLE.includes(poll.state) || !has("moderator", "approver")) return null;
  if (poll.state === "open" && !has("approver")) {
    return <Reason id="cancel-reason">Идущее голосование может отменить только Управление по внутренней политике.</Reason>;
  }
  if (!asking) {
    return <button type="button" class="button button-secondary-dark" id="cancel-poll" onClick={() => setAsking(true)}>Отменить опрос</button>;
  }
  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = await data(api.POST("/v1/admin/polls/{poll_id}/cancel", {
        params: { path: { poll_id: poll.id } }, body: { comment: comment.trim() || null },
      }));
      onDone(saved as unknown as Poll);
      setAsking(false);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="cancel-box" role="group" aria-labelledby="cancel-title">
      <p id="cancel-title" class="card-title">Отменить опрос «{poll.title}»? Отменённый опрос не вернуть.</p>
      <TextArea id="cancel-comment" label="Причина отмены (необязательно)" rows={2} maxLength={2000} value={comment} onInput={setComment} />
      <PageError text={error} />
      <p class="actions">
        <button type="button" class="button" disabled={busy} onClick={cancel}>Подтвердить отмену</button>
        <button type="button" class="button button-secondary-dark" onClick={() => setAsking(false)}>Не отменять</button>
      </p>
    </div>
  );
}
