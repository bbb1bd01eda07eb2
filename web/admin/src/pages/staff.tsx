// Staff assignments (the IT administrator): roles with their titles from /v1/roles, areas of
// responsibility from the territory tree, a cashier's partner, and confirming a pending grant of
// approver or admin (four eyes).
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, Notice } from "@shared/ui/feedback";
import { TextField } from "@shared/ui/fields";
import { useLoad } from "@shared/ui/load";
import "../styles/site.css";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { placed, type Territory } from "../parts/territories";
import { bodyOf, formOf, type Assignment, type RoleInfo, type StaffForm } from "../parts/staff/model";
import { StaffTable } from "../parts/staff/table";
import { StaffEditor } from "../parts/staff/editor";

const SUBJECT = /^[A-Za-z0-9._:@-]{1,64}$/;

function StaffPage() {
  const { api, me } = useStaff();
  const setup = useLoad(async () => {
    const [roles, tree] = await Promise.all([data(api.GET("/v1/roles")), data(api.GET("/v1/territories"))]);
    const items = await data(api.GET("/v1/admin/shop/items")).catch(() => ({ items: [] as { partner?: string }[] }));
    const partners = [...new Set((items.items as { partner?: string }[]).map((i) => i.partner).filter((n): n is string => !!n))].sort();
    return {
      roles: (roles.items as RoleInfo[]).filter((r) => r.staff),
      territories: placed(tree.territories as Territory[], null),
      partners,
    };
  }, []);
  const list = useLoad(async () => (await data(api.GET("/v1/admin/staff"))).items as Assignment[], []);
  const [subject, setSubject] = useState("");
  const [subjectError, setSubjectError] = useState<string | undefined>();
  const [open, setOpen] = useState<Assignment | null>(null);
  const [form, setForm] = useState<StaffForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useBusy("staff", setup.loading || list.loading || busy);

  const act = async (work: () => Promise<void>) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      await work();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const show = (a: Assignment) => { setOpen(a); setForm(formOf(a)); setErrors({}); };
  const load = (who: string) => act(async () => {
    show(await data(api.GET("/v1/admin/staff/{subject}", { params: { path: { subject: who } } })) as Assignment);
  });
  const openTyped = (event: Event) => {
    event.preventDefault();
    const who = subject.trim();
    if (!SUBJECT.test(who)) { setSubjectError("Латинские буквы, цифры и . _ : @ -, до 64 символов."); return; }
    setSubjectError(undefined);
    load(who);
  };
  const save = () => act(async () => {
    if (!open || !form) return;
    setErrors({});
    const { data: saved, response } = await api.PUT("/v1/admin/staff/{subject}", { params: { path: { subject: open.subject } }, body: bodyOf(form) });
    show(saved as Assignment);
    setDone(response.status === 202
      ? "Запрос на назначение записан в журнал аудита; оно вступит в силу, когда его подтвердит другой администратор."
      : "Назначение сохранено и записано в журнал аудита.");
    list.reload();
  });
  const confirm = (who: string) => act(async () => {
    const saved = await data(api.POST("/v1/admin/staff/{subject}/confirm", { params: { path: { subject: who } } })) as Assignment;
    if (open?.subject === who) show(saved);
    setDone("Назначение подтверждено и записано в журнал аудита.");
    list.reload();
  });

  return (
    <>
      <ErrorBox text={error ?? setup.error ?? list.error} />
      {done && <div id="staff-done"><Notice>{done}</Notice></div>}
      <form id="staff-load" class="filters" noValidate onSubmit={openTyped}>
        <TextField id="s-subject" label="Учётная запись сотрудника (идентификатор из ЕСИА)" value={subject} onInput={setSubject}
          error={subjectError ?? (open ? undefined : errors.subject)} autocomplete="off" />
        <p class="actions"><button type="submit" class="button button-secondary" disabled={busy}>Открыть</button></p>
      </form>
      {open && form && setup.data && (
        <StaffEditor assignment={open} form={form} setForm={setForm} roles={setup.data.roles} territories={setup.data.territories}
          partners={setup.data.partners} errors={errors} me={me.id} busy={busy} onSave={save}
          onConfirm={() => confirm(open.subject)} onClose={() => { setOpen(null); setForm(null); }} />
      )}
      <section aria-labelledby="staff-list-title">
        <h2 id="staff-list-title">Назначения</h2>
        {list.data && <StaffTable items={list.data} me={me.id} busy={busy} onEdit={load} onConfirm={confirm} />}
      </section>
    </>
  );
}

mountStaffPage({ title: "Роли и зоны ответственности", roles: ["admin"] }, StaffPage);
