// The territories of one district: name (official name below), kind, ОКТМО, population with its
// year, and the actions the IT administrator can take. Fits a phone: the table scrolls in its box.
import { formatCount } from "@shared/numbers";
import { TableWrap, Time } from "@shared/ui/feedback";
import { RETIRABLE, type RegistryItem } from "./model";

type Props = { area: RegistryItem; items: RegistryItem[]; busy: boolean; editable: boolean;
  onEdit: (t: RegistryItem) => void; onRetire: (t: RegistryItem) => void };

function Row({ t, busy, editable, onEdit, onRetire }: Omit<Props, "area" | "items"> & { t: RegistryItem }) {
  return (
    <tr class={t.retired_at ? "territory-retired" : undefined} data-id={t.id}>
      <th scope="row">
        {t.name}
        {t.official_name && t.official_name !== t.name && <><br /><span class="muted">{t.official_name}</span></>}
      </th>
      <td>{t.kind_title}</td>
      <td class="nowrap">{t.oktmo ?? "—"}</td>
      <td class="nowrap">{t.population === null ? "—" : <>{formatCount(t.population)}<br /><span class="muted">на {t.population_year} г.</span></>}</td>
      <td>
        {t.retired_at ? <span class="muted">Выведена <Time value={t.retired_at} /></span> : editable && (
          <div class="territory-actions">
            <button type="button" class="button button-secondary button-small" disabled={busy}
              aria-label={`Изменить: ${t.name}`} onClick={() => onEdit(t)}>Изменить</button>
            {RETIRABLE.has(t.kind) && (
              <button type="button" class="button button-secondary button-small" disabled={busy}
                aria-label={`Вывести из реестра: ${t.name}`} onClick={() => onRetire(t)}>Вывести</button>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}

export function TerritoryTable(props: Props) {
  const { area, items } = props;
  return (
    <TableWrap label={`Территории: ${area.name}`}>
      <table class="data-table" id="territory-table">
        <caption>{area.name} и входящие в него территории</caption>
        <thead><tr><th scope="col">Название</th><th scope="col">Вид</th><th scope="col">ОКТМО</th>
          <th scope="col">Население</th><th scope="col">Действия</th></tr></thead>
        <tbody id="territory-rows">
          <Row {...props} t={area} />
          {items.map((t) => <Row key={t.id} {...props} t={t} />)}
        </tbody>
      </table>
      {!items.length && <p class="muted">В реестре пока нет поселений этого района.</p>}
    </TableWrap>
  );
}
