// The vote check's two procedures, apart from the page: a receipt against the published root, and
// the published ballot list recounted against the published result. Verdicts name options by their
// texts (the result lists them), never by ids.
import { createApi, data, type Api, type paths } from "../api/client";
import { ApiError } from "../problems";
import {
  HEX64, byCodePoint, fromHex, isOptionList, leafBytes, merkleRoot, optionsText, toHex, verifyInclusion,
} from "./merkle";

export type PublicResult = paths["/v1/public/polls/{poll_id}/result"]["get"]["responses"]["200"]["content"]["application/json"];
type Published = paths["/v1/public/polls/{poll_id}/ballots/published"]["get"]["responses"]["200"]["content"]["application/json"];
type Proof = paths["/v1/public/polls/{poll_id}/proof"]["get"]["responses"]["200"]["content"]["application/json"];

export type Verdict = { ok: boolean; text: string; details: string[] };

export { createApi };

/** Option ids as people read them: «Свет», or «Что важнее? — Свет» when the poll asks more than one question. */
export function optionLabels(result: PublicResult, ids: readonly string[]): string[] {
  const many = result.questions.length > 1;
  return [...ids].sort(byCodePoint).map((id) => {
    for (const q of result.questions) {
      const o = q.options.find((x) => x.id === id);
      if (o) return many ? `${q.text} — ${o.text}` : o.text;
    }
    return "вариант, которого нет в опросе";
  });
}

const joined = (labels: string[]) => labels.map((l) => `«${l}»`).join(", ");

export async function loadResult(api: Api, pollId: string): Promise<PublicResult> {
  return data(api.GET("/v1/public/polls/{poll_id}/result", { params: { path: { poll_id: pollId } } }));
}

export async function checkReceipt(api: Api, result: PublicResult, commitment: string, optionIds: string[]): Promise<Verdict> {
  const mine = optionLabels(result, optionIds);
  let proof: Proof;
  try {
    proof = await data(api.GET("/v1/public/polls/{poll_id}/proof",
      { params: { path: { poll_id: result.poll_id }, query: { receipt: commitment } } }));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 409)) {
      return { ok: false, text: `Голос не подтверждён: ${e.message}`, details: [] };
    }
    throw e;
  }
  const published = result.merkle_root;
  if (proof.leaf === commitment && (!isOptionList(proof.option_ids) || optionsText(proof.option_ids) !== optionsText(optionIds))) {
    // The list gives this commitment other choices than the receipt: the vote was moved.
    const listed = isOptionList(proof.option_ids) ? joined(optionLabels(result, proof.option_ids)) : "не указаны";
    return {
      ok: false, details: [],
      text: `Варианты в опубликованном списке не совпадают с вашей квитанцией: в списке — ${listed}, `
        + `в квитанции — ${joined(mine)}. Голос не подтверждён: запись о нём изменена после подачи.`,
    };
  }
  const problems: string[] = [];
  if (proof.leaf !== commitment) problems.push("доказательство относится к другому обязательству");
  if (proof.merkle_root !== published) problems.push("корень в доказательстве не совпадает с опубликованным");
  const path = Array.isArray(proof.audit_path) ? proof.audit_path : [];
  const ok = problems.length === 0 && path.every((p) => HEX64.test(p)) && HEX64.test(published)
    && (await verifyInclusion(leafBytes(commitment, optionIds), proof.leaf_index, proof.tree_size, path.map(fromHex),
      fromHex(published)));
  if (problems.length === 0 && !ok) problems.push("путь аудита не приводит к опубликованному корню");
  if (!ok) return { ok: false, text: `Голос не подтверждён: ${problems.join("; ")}.`, details: [] };
  return {
    ok: true, text: "Голос учтён без изменений",
    details: [`Ваш выбор: ${joined(mine)}.`, `Позиция ${proof.leaf_index + 1} из ${proof.tree_size} в опубликованном списке.`,
      `Опубликованный корень: ${published}.`],
  };
}

export type Recount = Verdict & { counts: Record<string, number> };

export async function recount(api: Api, result: PublicResult, progress: (text: string) => void): Promise<Recount> {
  const items: { commitment: string; option_ids: string[] }[] = [];
  let cursor: string | null | undefined = null;
  let root = "";
  do {
    const page: Published = await data(api.GET("/v1/public/polls/{poll_id}/ballots/published", {
      params: { path: { poll_id: result.poll_id }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } },
    }));
    items.push(...page.items);
    cursor = page.next_cursor;
    root = page.merkle_root;
    progress(`Загружено голосов: ${items.length} из ${page.tree_size}…`);
  } while (cursor);
  progress("Пересчитываем и строим дерево Меркла…");
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  let previous: [string, string] | null = null;
  for (const item of items) {
    if (!HEX64.test(item.commitment)) problems.push(`неверное обязательство в списке: ${item.commitment}`);
    if (!isOptionList(item.option_ids)) {
      problems.push(`неверные варианты в списке у обязательства ${item.commitment}`);
      continue;
    }
    const key: [string, string] = [item.commitment, optionsText(item.option_ids)];
    if (previous && (key[0] < previous[0] || (key[0] === previous[0] && byCodePoint(key[1], previous[1]) < 0))) {
      problems.push("список не упорядочен по возрастанию обязательств");
    }
    previous = key;
    for (const id of item.option_ids) counts[id] = (counts[id] ?? 0) + 1;
  }
  if (problems.length) return { ok: false, text: "Пересчёт не совпал с опубликованными итогами", details: problems, counts };
  const computed = toHex(await merkleRoot(items.map((i) => leafBytes(i.commitment, i.option_ids))));
  if (items.length !== result.total_ballots) problems.push(`голосов в списке ${items.length}, опубликовано ${result.total_ballots}`);
  if (computed !== root || root !== result.merkle_root) {
    problems.push(`корень списка ${computed} не совпадает с опубликованным ${result.merkle_root}`);
  }
  const published: Record<string, number> = {};
  for (const q of result.questions) for (const o of q.options) published[o.id] = o.count;
  for (const id of new Set([...Object.keys(counts), ...Object.keys(published)])) {
    if ((counts[id] ?? 0) !== (published[id] ?? 0)) {
      problems.push(`${joined(optionLabels(result, [id]))}: пересчитано ${counts[id] ?? 0}, опубликовано ${published[id] ?? 0}`);
    }
  }
  if (problems.length) return { ok: false, text: "Пересчёт не совпал с опубликованными итогами", details: problems, counts };
  return {
    ok: true, text: "Пересчёт совпал с опубликованными итогами и корнем", counts,
    details: [`Голосов: ${items.length}`, `Корень: ${computed}`],
  };
}
