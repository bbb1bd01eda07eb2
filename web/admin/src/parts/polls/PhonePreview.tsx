// How a resident will see the poll in the app: a phone-sized preview that follows the editor as
// the person types (and shows the version under review on the approval page), images included.
import { formatDateTime } from "@shared/time";
import { ZONE_LABEL } from "@shared/time";
import { countOf } from "@shared/numbers";

/** An image as the preview shows it (without a URL, e.g. not yet uploaded, nothing is shown). */
export type PreviewImage = { url?: string; alt: string } | null | undefined;
export type PreviewQuestion = {
  text: string; kind: "single" | "multiple"; min_choices?: number | null; max_choices?: number | null;
  options: { text: string; image?: PreviewImage }[];
};
export type PreviewContent = {
  title: string; description: string; closes_at?: string | null; territoryNames: string[]; questions: PreviewQuestion[];
  image?: PreviewImage;
};

/** The picture with the alt text the resident's screen reader will say. */
function Picture({ image, cls, fallback }: { image: PreviewImage; cls: string; fallback: string }) {
  if (!image?.url) return null;
  return <img class={cls} src={image.url} alt={image.alt.trim() || fallback} />;
}

const ANSWERS: [string, string, string] = ["ответ", "ответа", "ответов"];

function choiceHint(q: PreviewQuestion): string {
  if (q.kind === "single") return "один ответ";
  const min = q.min_choices || 1;
  const max = q.max_choices || q.options.length;
  return min === max ? countOf(min, ANSWERS) : `от ${min} до ${countOf(max, ANSWERS)}`;
}

export function PhonePreview({ content, id = "phone" }: { content: PreviewContent; id?: string }) {
  return (
    <div id={id} class="phone">
      <div class="phone-screen">
        <p class="phone-app">Активный житель 74</p>
        <h3 class="phone-title">{content.title || "Без заголовка"}</h3>
        {content.territoryNames.length > 0 && <p class="phone-meta">{content.territoryNames.join(", ")}</p>}
        {content.closes_at && <p class="phone-meta">До {formatDateTime(content.closes_at)} ({ZONE_LABEL})</p>}
        <Picture image={content.image} cls="phone-image" fallback="Изображение опроса (описание не заполнено)" />
        {content.description && <p class="phone-text">{content.description}</p>}
        {content.questions.map((q, qi) => (
          <fieldset key={qi} class="phone-question">
            <legend>{qi + 1}. {q.text || "Вопрос без текста"} ({choiceHint(q)})</legend>
            {q.options.map((o, oi) => (
              <label key={oi} class="phone-option" for={`${id}-q${qi}-o${oi}`}>
                <input id={`${id}-q${qi}-o${oi}`} type={q.kind === "single" ? "radio" : "checkbox"} name={`${id}-q${qi}`} disabled />
                {" "}{o.text || "…"}
                <Picture image={o.image} cls="phone-option-image" fallback={`Изображение варианта ${oi + 1} (описание не заполнено)`} />
              </label>
            ))}
          </fieldset>
        ))}
        <p class="phone-button">Проголосовать</p>
        {/* What the app says under the button: the last ballot before the close is the one that counts. */}
        <p class="phone-meta">Вы можете изменить свой выбор до окончания голосования.</p>
      </div>
    </div>
  );
}
