// Rewards (#/rewards): my points and level with their history, the rewards I can order where I live,
// ordering for points (confirmed first; one Idempotency-Key per attempt), my orders. An order
// (#/rewards/orders/<id>) shows its redemption code as a QR code and as text for the partner's
// counter, and can be cancelled until its cancellation deadline.
import { useEffect, useRef, useState } from "preact/hooks";
import type { paths } from "@shared/api/client";
import { countOf, formatCount, plural } from "@shared/numbers";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, StatusLine, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { api, data, isSignInNeeded } from "../app/api";
import { go, link, type Route } from "../app/router";
import { Screen, SignInNeeded } from "../app/shell";
import { isRetryable, startAttempt, type Attempt } from "../app/attempts";
import { groupedCode, qrDataUrl } from "../parts/rewards/qr";
import "../styles/rewards.css";

type Points = paths["/v1/me/points"]["get"]["responses"][200]["content"]["application/json"];
type Entry = Points["entries"][number];
type Order = paths["/v1/me/orders/{order_id}"]["get"]["responses"][200]["content"]["application/json"];
type OrderPage = paths["/v1/me/orders"]["get"]["responses"][200]["content"]["application/json"];
/** A reward as GET /v1/shop/items gives it (the OpenAPI document leaves the item untyped). */
type Reward = {
  id: string; title: string; description: string | null; partner: string; price: number; stock: number;
  valid_from: string; valid_until: string; territories: string[]; image: { id: string; url: string; alt: string } | null;
};

const POINTS_FORMS: [string, string, string] = ["балл", "балла", "баллов"];
const JUST_ORDERED = "aj74.resident.ordered";

export function RewardsScreen({ route }: { route: Route }) {
  const [, section, id] = route.segments;
  if (section === "orders" && id) return <OrderScreen id={id} />;
  return <RewardsHome />;
}

function RewardsHome() {
  const points = useLoad(async () => data((await api()).GET("/v1/me/points", { params: { query: { limit: 10 } } })), []);
  const shop = useLoad(async () => (await data((await api()).GET("/v1/shop/items"))).items as unknown as Reward[], []);
  const orders = useLoad(async () => data((await api()).GET("/v1/me/orders", { params: { query: { limit: 20 } } })), []);
  const failure = points.failure ?? shop.failure ?? orders.failure;
  if (failure && isSignInNeeded(failure)) {
    return <Screen title="Баллы" tab="rewards"><SignInNeeded /></Screen>;
  }
  const loading = points.loading || shop.loading || orders.loading;
  return (
    <Screen title="Баллы и поощрения" tab="rewards">
      <StatusLine text={loading ? "Загрузка…" : ""} />
      <ErrorBox text={points.error ?? shop.error ?? orders.error} />
      {points.data && <Balance points={points.data} />}
      {shop.data && points.data && (
        <Shop rewards={shop.data} balance={points.data.balance} />
      )}
      {orders.data && <MyOrders page={orders.data} />}
      {points.data && <History first={points.data} />}
    </Screen>
  );
}

function Balance({ points }: { points: Points }) {
  const { level } = points;
  return (
    <section class="card points-card" aria-labelledby="balance-title">
      <h2 id="balance-title" class="visually-hidden">Мои баллы</h2>
      <p class="points-balance"><span id="balance">{formatCount(points.balance)}</span> <span>{plural(points.balance, POINTS_FORMS)} на счёте</span></p>
      <p class="points-level">Уровень: <strong>{level.name}</strong></p>
      {level.to_next != null && level.next_at != null ? (
        <>
          <progress class="points-progress" max={level.next_at - level.since} value={points.lifetime - level.since}
            aria-label="Путь до следующего уровня" />
          <p class="hint">До следующего уровня — {countOf(level.to_next, POINTS_FORMS)}. Всего заработано: {countOf(points.lifetime, POINTS_FORMS)}.</p>
        </>
      ) : (
        <p class="hint">Это высший уровень. Всего заработано: {countOf(points.lifetime, POINTS_FORMS)}.</p>
      )}
      <p class="hint">Баллы начисляются за участие в опросах. Заказать поощрение — ниже.</p>
    </section>
  );
}

function Shop({ rewards, balance }: { rewards: Reward[]; balance: number }) {
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  return (
    <section aria-labelledby="shop-title">
      <h2 id="shop-title">Поощрения</h2>
      {rewards.length === 0 && <p>Сейчас в вашем районе нет поощрений. Загляните позже.</p>}
      <ul class="cards">
        {rewards.map((reward) => (
          <li key={reward.id}>
            <article class="card reward" aria-labelledby={`reward-${reward.id}`}>
              {reward.image && <img class="card-image" src={reward.image.url} alt={reward.image.alt} loading="lazy" />}
              <h3 class="card-title" id={`reward-${reward.id}`}>{reward.title}</h3>
              <p class="card-meta"><span>{reward.partner}</span></p>
              {reward.description && <p class="reward-text">{reward.description}</p>}
              <p class="card-meta">
                <span>Осталось: {formatCount(reward.stock)}</span>
                <span>Действует до <Time value={reward.valid_until} /></span>
              </p>
              <p class="reward-price"><strong>{countOf(reward.price, POINTS_FORMS)}</strong></p>
              {attempt?.subject === reward.id ? (
                <OrderConfirm reward={reward} balance={balance} attempt={attempt} onClose={() => setAttempt(null)} />
              ) : (
                <>
                  {reward.price > balance && (
                    <p class="hint" id={`short-${reward.id}`}>Не хватает {countOf(reward.price - balance, POINTS_FORMS)}.</p>
                  )}
                  <button type="button" class="button" aria-describedby={reward.price > balance ? `short-${reward.id}` : undefined}
                    onClick={() => setAttempt(startAttempt(reward.id))}>
                    Заказать<span class="visually-hidden"> «{reward.title}»</span>
                  </button>
                </>
              )}
            </article>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Spending points is confirmed first; a retry of the same attempt sends the same Idempotency-Key. */
function OrderConfirm({ reward, balance, attempt, onClose }: {
  reward: Reward; balance: number; attempt: Attempt; onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const client = await api();
      const order = await data(client.POST("/v1/shop/orders", {
        params: { header: { "Idempotency-Key": attempt.key } }, body: { item_id: reward.id },
      }));
      sessionStorage.setItem(JUST_ORDERED, order.id);
      go("rewards", "orders", order.id);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(messageOf(e), 0));
      setBusy(false);
    }
  };

  const left = balance - reward.price;
  const again = error && isRetryable(error.status);
  return (
    <div class="order-confirm" role="group" aria-labelledby={`confirm-${reward.id}`} tabIndex={-1} ref={box}>
      <p id={`confirm-${reward.id}`} class="order-confirm-text">
        Списать <strong>{countOf(reward.price, POINTS_FORMS)}</strong> за «{reward.title}»?
        {left >= 0 && <> После заказа останется {countOf(left, POINTS_FORMS)}.</>}
      </p>
      {error && (
        <p class="notice notice-error" role="alert">
          {error.summary()}{again && " Можно повторить: второй раз баллы не спишутся."}
        </p>
      )}
      <p class="actions">
        <button type="button" class="button" disabled={busy} onClick={() => void confirm()}>
          {busy ? "Оформляем…" : again ? "Повторить заказ" : "Подтвердить заказ"}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>Не заказывать</button>
      </p>
    </div>
  );
}

function MyOrders({ page }: { page: OrderPage }) {
  return (
    <section aria-labelledby="orders-title">
      <h2 id="orders-title">Мои заказы</h2>
      {page.items.length === 0 && <p class="hint">Заказов пока нет.</p>}
      <ul class="cards">
        {page.items.map((order) => (
          <li key={order.id}>
            <a class="card" href={link("rewards", "orders", order.id)}>
              <span class="card-title">{order.title}</span>
              <span class="card-meta">
                <span class={`badge ${statusClass(order.status)}`}>{order.status_title}</span>
                <span>{countOf(order.price, POINTS_FORMS)}</span>
                <span><Time value={order.created_at} /></span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function History({ first }: { first: Points }) {
  const [entries, setEntries] = useState<Entry[]>(first.entries);
  const [cursor, setCursor] = useState<string | null>(first.next_cursor);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { setEntries(first.entries); setCursor(first.next_cursor); }, [first]);
  const more = async () => {
    if (!cursor) return;
    setBusy(true);
    setError(null);
    try {
      const page = await data((await api()).GET("/v1/me/points", { params: { query: { limit: 20, cursor } } }));
      setEntries((e) => [...e, ...page.entries]);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">История баллов</h2>
      {entries.length === 0 && <p class="hint">Пока ни одного начисления. Участвуйте в опросах — за каждый голос начисляются баллы.</p>}
      <ul class="history">
        {entries.map((entry) => (
          <li key={entry.id} class="history-entry">
            <span class="history-what">
              <span class="history-title">{entry.title}</span>
              <span class="hint">
                {entry.kind_title !== entry.title && <>{entry.kind_title} · </>}<Time value={entry.at} />
                {entry.reason && <> · {entry.reason}</>}
              </span>
            </span>
            <span class={`history-points ${entry.points < 0 ? "history-minus" : "history-plus"}`}>
              {entry.points > 0 ? "+" : entry.points < 0 ? "−" : ""}{formatCount(Math.abs(entry.points))}
            </span>
          </li>
        ))}
      </ul>
      {error && <p class="notice notice-error" role="alert">{error}</p>}
      {cursor && (
        <button type="button" class="button button-secondary button-wide" disabled={busy} onClick={() => void more()}>
          {busy ? "Загружаем…" : "Показать ещё"}
        </button>
      )}
    </section>
  );
}

function statusClass(status: string): string {
  return status === "active" ? "badge-ok" : status === "cancelled" ? "badge-error" : "";
}

function OrderScreen({ id }: { id: string }) {
  const loaded = useLoad(async () => data((await api()).GET("/v1/me/orders/{order_id}", { params: { path: { order_id: id } } })), [id]);
  const [order, setOrder] = useState<Order | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState("");
  const [justOrdered] = useState(() => {
    const yes = sessionStorage.getItem(JUST_ORDERED) === id;
    if (yes) sessionStorage.removeItem(JUST_ORDERED);
    return yes;
  });
  useEffect(() => { if (loaded.data) setOrder(loaded.data); }, [loaded.data]);
  const back = { href: link("rewards"), label: "Баллы" };
  if (loaded.failure && isSignInNeeded(loaded.failure)) {
    return <Screen title="Заказ" tab="rewards" back={back}><SignInNeeded /></Screen>;
  }

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const client = await api();
      setOrder(await data(client.POST("/v1/me/orders/{order_id}/cancel", { params: { path: { order_id: id } } })));
      setAsking(false);
      setDone("Заказ отменён, баллы вернулись на счёт.");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const cancellable = order?.status === "active" && Date.parse(order.cancel_until) > Date.now();
  return (
    <Screen title={order?.title ?? "Заказ"} tab="rewards" back={back}>
      <StatusLine text={loaded.loading ? "Загрузка заказа…" : done} />
      <ErrorBox text={loaded.error} />
      {order && (
        <>
          {justOrdered && order.status === "active" && (
            <p class="notice notice-ok">Заказ оформлен: списано {countOf(order.price, POINTS_FORMS)}.</p>
          )}
          <p class="card-meta order-meta">
            <span class={`badge ${statusClass(order.status)}`}>{order.status_title}</span>
            <span>{order.partner}</span>
          </p>
          {order.status === "active" && (
            <section class="order-code-box" aria-labelledby="code-title">
              <h2 id="code-title">Код для получения</h2>
              <p class="hint">Покажите QR-код на кассе партнёра или назовите код.</p>
              <img id="order-qr" class="order-qr" src={qrDataUrl(order.code)} width={240} height={240}
                alt={`QR-код заказа, код ${groupedCode(order.code)}`} />
              <p class="order-code" id="order-code" aria-label={`Код: ${order.code.split("").join(" ")}`}>{groupedCode(order.code)}</p>
            </section>
          )}
          <dl class="facts">
            <dt>Стоимость</dt><dd>{countOf(order.price, POINTS_FORMS)}</dd>
            <dt>Оформлен</dt><dd><Time value={order.created_at} /></dd>
            {order.redeemed_at && <><dt>Получен</dt><dd><Time value={order.redeemed_at} /></dd></>}
            {order.cancelled_at && <><dt>Отменён</dt><dd><Time value={order.cancelled_at} /></dd></>}
          </dl>
          {cancellable && (
            <section aria-labelledby="cancel-title" class="order-cancel">
              <h2 id="cancel-title">Отмена заказа</h2>
              <p>Отменить заказ можно до <Time value={order.cancel_until} /> (по челябинскому времени) — баллы вернутся на счёт.</p>
              {error && <p class="notice notice-error" role="alert">{error}</p>}
              {asking ? (
                <div class="order-confirm">
                  <p>Отменить заказ «{order.title}» и вернуть {countOf(order.price, POINTS_FORMS)}?</p>
                  <p class="actions">
                    <button type="button" class="button" disabled={busy} onClick={() => void cancel()}>
                      {busy ? "Отменяем…" : "Да, отменить заказ"}
                    </button>
                    <button type="button" class="button button-secondary" disabled={busy} onClick={() => setAsking(false)}>Оставить заказ</button>
                  </p>
                </div>
              ) : (
                <button type="button" class="button button-secondary" onClick={() => setAsking(true)}>Отменить заказ</button>
              )}
            </section>
          )}
          {order.status === "active" && !cancellable && (
            <p class="hint">Срок отмены истёк <Time value={order.cancel_until} />.</p>
          )}
          {done && <p class="notice notice-ok">{done}</p>}
        </>
      )}
    </Screen>
  );
}
