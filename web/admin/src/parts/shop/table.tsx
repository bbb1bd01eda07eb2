// The catalogue at a glance: each reward with its partner and territories, price, stock, validity
// (Chelyabinsk time) and whether residents can order it now.
import { TableWrap, Time } from "@shared/ui/feedback";
import { itemState, type ShopItem } from "./model";

export function ItemTable({ items, onEdit }: { items: ShopItem[]; onEdit: (item: ShopItem) => void }) {
  const now = new Date();
  return (
    <TableWrap label="Поощрения каталога">
      <table id="items" class="data-table shop-table">
        <thead>
          <tr>
            <th scope="col">Поощрение</th><th scope="col">Цена, баллов</th><th scope="col">В наличии</th>
            <th scope="col">Действует</th><th scope="col">Состояние</th>
            <th scope="col"><span class="visually-hidden">Действия</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const state = itemState(item, now);
            return (
              <tr key={item.id} data-item-id={item.id}>
                <td class="shop-title-cell">
                  <span class="shop-title">{item.title}</span>
                  <span class="muted shop-partner">{item.partner}</span>
                  <span class="shop-territories"><span class="shop-label">Где:</span> {item.territories.join(", ")}</span>
                </td>
                <td class="num">{item.price}</td>
                <td class={`num${item.stock <= 0 ? " shop-out" : ""}`}>{item.stock}</td>
                <td class="shop-dates">
                  <span>с <Time value={item.valid_from} /></span>
                  <span>до <Time value={item.valid_until} /></span>
                </td>
                <td><span class={`shop-state shop-state-${state.key}`}>{state.title}</span></td>
                <td>
                  <button class="button button-secondary button-small" type="button" aria-label={`Изменить: ${item.title}`}
                    onClick={() => onEdit(item)}>Изменить</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
