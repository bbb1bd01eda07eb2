// What staff may do with one item, by its state and their role: send a draft to review, retract a
// published item (the Directorate), record that a missing person was found. Each asks for what the
// API requires (a comment, an outcome) and shows its refusal beside the field.
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, messageOf } from "@shared/problems";
import { TextArea } from "@shared/ui/fields";
import { useStaff } from "../../shell/staff";
import type { ContentItem } from "./model";

type Done = (item: ContentItem, message: string) => void;

function errorOf(e: unknown, field: string): string {
  return e instanceof ApiError ? (e.fieldErrors()[field] ?? e.summary()) : messageOf(e);
}

/** A text (comment or outcome) and one button that sends it. */
function TextAction(props: {
  id: string; label: string; button: string; required: string; hint?: string; field: string;
  run: (text: string) => Promise<ContentItem>; done: (item: ContentItem) => void; danger?: boolean;
}) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const go = async () => {
    if (!text.trim()) { setError(props.required); return; }
    setBusy(true); setError(undefined);
    try { props.done(await props.run(text.trim())); } catch (e) { setError(errorOf(e, props.field)); } finally { setBusy(false); }
  };
  return (
    <div class="item-action">
      <TextArea id={props.id} label={props.label} value={text} onInput={setText} error={error} rows={3} hint={props.hint}
        maxLength={props.field === "outcome" ? 1000 : 2000} />
      <button type="button" class={props.danger ? "button button-danger" : "button"} disabled={busy} onClick={go}>
        {props.button}
      </button>
    </div>
  );
}

export function SubmitButton({ item, done }: { item: ContentItem; done: Done }) {
  const { api } = useStaff();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true); setError(null);
    try {
      const saved = await data(api.POST("/v1/admin/content/{content_id}/submit", { params: { path: { content_id: item.id } }, body: { comment: null } }));
      done(saved as unknown as ContentItem, "Материал отправлен на согласование в Управление по внутренней политике.");
    } catch (e) { setError(messageOf(e)); } finally { setBusy(false); }
  };
  return (
    <>
      <button id="submit-review" type="button" class="button" disabled={busy} onClick={go}>Отправить на согласование</button>
      {error && <p class="field-error" role="alert">{error}</p>}
    </>
  );
}

export function RetractForm({ item, done, who = "Управление по внутренней политике" }: { item: ContentItem; done: Done; who?: string }) {
  const { api } = useStaff();
  return (
    <TextAction id={`retract-${item.id}`} label="Причина снятия с публикации" button="Снять с публикации" danger
      field="comment" required="Укажите причину: она останется в истории и журнале аудита."
      hint={`Материал сразу исчезнет из ленты жителей. Снимает ${who}.`}
      run={async (comment) => await data(api.POST("/v1/admin/content/{content_id}/retract", {
        params: { path: { content_id: item.id } }, body: { comment } })) as unknown as ContentItem}
      done={(saved) => done(saved, "Материал снят с публикации.")} />
  );
}

export function FoundForm({ item, done }: { item: ContentItem; done: Done }) {
  const { api } = useStaff();
  return (
    <TextAction id={`found-${item.id}`} label="Чем закончился поиск" button="Человек найден" field="outcome"
      required="Расскажите, чем закончился поиск." hint="Объявление покажет итог поиска и затем уйдёт из ленты."
      run={async (outcome) => await data(api.PATCH("/v1/admin/content/{content_id}", {
        params: { path: { content_id: item.id } }, body: { version: item.version, status: "found", outcome } })) as unknown as ContentItem}
      done={(saved) => done(saved, "Отмечено: человек найден.")} />
  );
}
