// The partner's counter: the cashier types a redemption code or reads the resident's QR code (its
// content is the code), redeems it, and sees the reward handed out — or the API's reason why not
// (a code of another partner, used, cancelled, unknown). The IT administrator redeems any code as
// support, with a reason that goes to the audit log.
import { useState } from "preact/hooks";
import { data, type paths } from "@shared/api/client";
import { shortId } from "@shared/numbers";
import { ZONE_LABEL } from "@shared/time";
import { ApiError, messageOf } from "@shared/problems";
import { Time } from "@shared/ui/feedback";
import { TextArea, TextField } from "@shared/ui/fields";
import "../styles/site.css";
import "../styles/shop.css";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { cleanCode, looksLikeCode } from "../parts/shop/qr";
import { QrReader } from "../parts/shop/scanner";

type Redemption = paths["/v1/shop/redeem"]["post"]["responses"]["200"]["content"]["application/json"];
type Outcome = { ok: true; redemption: Redemption; code: string } | { ok: false; reason: string; code: string };

function Result({ outcome }: { outcome: Outcome }) {
  if (!outcome.ok) {
    return (
      <section id="result" class="counter-result counter-refused" aria-labelledby="result-heading">
        <h2 id="result-heading" tabIndex={-1}>Код не погашен</h2>
        <p id="result-reason" role="alert">{outcome.reason}</p>
        <p class="muted">Код: <span class="code">{outcome.code}</span></p>
      </section>
    );
  }
  const r = outcome.redemption;
  return (
    <section id="result" class="counter-result counter-done" aria-labelledby="result-heading">
      <h2 id="result-heading" tabIndex={-1}>Поощрение можно выдать</h2>
      <dl class="counter-facts">
        <div><dt>Поощрение</dt><dd id="result-title">{r.title}</dd></div>
        <div><dt>Партнёр</dt><dd id="result-partner">{r.partner}</dd></div>
        <div><dt>Заказ</dt><dd><span class="code" title={r.order_id}>{shortId(r.order_id)}</span> · {r.status_title}</dd></div>
        <div><dt>Погашен</dt><dd><Time value={r.redeemed_at} /> <span class="zone-note">{ZONE_LABEL}</span></dd></div>
      </dl>
    </section>
  );
}

function Counter() {
  const { api, me, has } = useStaff();
  const partner = (me as { partner?: string | null }).partner ?? null;
  const cashier = has("partner");
  const needsReason = !cashier && has("admin");
  const [code, setCode] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [working, setWorking] = useState(false);
  useBusy("redeem", working);

  const focusResult = () => window.setTimeout(() => document.getElementById("result-heading")?.focus(), 0);

  const redeem = async (event?: Event, typed = code) => {
    event?.preventDefault();
    setOutcome(null);
    const clean = cleanCode(typed);
    const own: Record<string, string> = {};
    if (!clean) own.code = "Введите код или считайте QR-код";
    else if (!looksLikeCode(clean)) own.code = "Код — 26 символов: латинские буквы и цифры от 2 до 7";
    if (needsReason && !reason.trim()) own.reason = "Укажите причину: погашение администратором записывается в журнал аудита";
    setErrors(own);
    if (Object.keys(own).length) return;
    setWorking(true);
    try {
      const body = { code: clean, reason: needsReason ? reason.trim() : null };
      const redemption = await data(api.POST("/v1/shop/redeem", { body }));
      setOutcome({ ok: true, redemption, code: clean });
      setCode("");
      setReason("");
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      if (fields.code || fields.reason) setErrors({ code: fields.code, reason: fields.reason });
      else setOutcome({ ok: false, reason: messageOf(e), code: clean });
    } finally {
      setWorking(false);
      focusResult();
    }
  };

  const scanned = (text: string) => {
    setCode(text);
    if (looksLikeCode(text) && !needsReason) void redeem(undefined, text);
    else if (!looksLikeCode(text)) setErrors({ code: "В QR-коде не код заказа: попросите жителя открыть заказ в приложении" });
  };

  if (cashier && !partner) {
    return (
      <p id="unbound" class="notice notice-error">
        Учётная запись кассира не привязана к партнёру, поэтому погашать коды нельзя. Обратитесь к администратору
        Министерства информационных технологий.
      </p>
    );
  }

  return (
    <div class="counter">
      <p class="muted" id="counter-who">
        {cashier
          ? <>Касса партнёра «<span id="counter-partner">{partner}</span>». Погашаются только коды заказов поощрений этого партнёра.</>
          : <>Вы погашаете код как администратор (поддержка кассы): укажите причину, она будет записана в журнал аудита.</>}
      </p>
      <div class="counter-layout">
        <section id="by-code" class="counter-form" aria-labelledby="code-heading">
          <h2 id="code-heading">Код заказа</h2>
          <form id="redeem-form" noValidate onSubmit={(e) => redeem(e)}>
            <TextField id="code" label="Код из приложения жителя" value={code} onInput={setCode} error={errors.code}
              autocomplete="off" maxLength={64} required
              hint="26 символов: латинские буквы и цифры 2–7. Регистр, пробелы и дефисы не важны." />
            {needsReason && (
              <TextArea id="reason" label="Причина погашения администратором" value={reason} onInput={setReason}
                error={errors.reason} rows={2} maxLength={500} required />
            )}
            <div class="actions">
              <button id="redeem" class="button" type="submit" disabled={working}>Погасить код</button>
            </div>
          </form>
        </section>
        <QrReader onCode={scanned} />
      </div>
      {outcome && <Result outcome={outcome} />}
    </div>
  );
}

mountStaffPage({ title: "Выдача поощрений", roles: ["partner", "admin"] }, Counter);
