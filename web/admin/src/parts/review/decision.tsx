// The approver's decision on one queue item: a comment (required to reject), approve and reject.
// Four eyes: for a version the approver wrote, the buttons are disabled with the reason beside them.
import { useState } from "preact/hooks";
import { ApiError, messageOf } from "@shared/problems";

type Props = {
  id: string;
  /** Why this approver may not decide (four eyes); null when they may. */
  blocked: string | null;
  decide: (action: "approve" | "reject", comment: string | null) => Promise<void>;
};

export function DecisionForm({ id, blocked, decide }: Props) {
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const commentId = `comment-${id}`;
  const reasonId = `blocked-${id}`;
  const act = async (action: "approve" | "reject") => {
    setError(null);
    if (action === "reject" && !comment.trim()) {
      setError("Напишите, что нужно исправить: автор увидит комментарий.");
      return;
    }
    setBusy(true);
    try {
      await decide(action, comment.trim() || null);
    } catch (e) {
      setError(e instanceof ApiError ? (e.fieldErrors().comment ?? e.summary()) : messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const disabled = busy || blocked !== null;
  return (
    <div class="decision">
      <label for={commentId}>Комментарий (обязателен при отклонении)</label>
      <textarea id={commentId} rows={3} value={comment} disabled={blocked !== null} maxLength={2000}
        aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${commentId}-error` : undefined}
        onInput={(e) => setComment(e.currentTarget.value)} />
      {error && <p id={`${commentId}-error`} class="field-error">{error}</p>}
      <p class="actions">
        <button type="button" class="button" disabled={disabled} aria-describedby={blocked ? reasonId : undefined}
          onClick={() => act("approve")}>Согласовать</button>
        <button type="button" class="button button-secondary" disabled={disabled}
          aria-describedby={blocked ? reasonId : undefined} onClick={() => act("reject")}>Отклонить</button>
      </p>
      {blocked && <p id={reasonId} class="disabled-reason">{blocked}</p>}
    </div>
  );
}
