// Four eyes, as the API decides it (aj74.workflow.approver_not_author): nobody approves or rejects
// a version they drafted, edited or submitted. The queue uses it to not offer what would be a 403.

type Reviewed = { created_by: string; history?: readonly { action: string; actor: string }[] };

const AUTHORING = new Set(["edit", "submit"]);

/** Why `me` may not decide on `item` (null when they may). */
export function fourEyesReason(item: Reviewed, me: string): string | null {
  if (item.created_by === me) return "Это ваш черновик: решение по нему принимает другой согласующий.";
  if ((item.history ?? []).some((h) => AUTHORING.has(h.action) && h.actor === me)) {
    return "Вы редактировали или отправляли на согласование эту версию: решение принимает другой согласующий.";
  }
  return null;
}
