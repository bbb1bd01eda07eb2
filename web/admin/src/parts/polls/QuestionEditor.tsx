// One question of the poll editor: its text, single or multiple choice (with how many may be
// chosen, as the API allows), and its options; each error beside the input the API named.
import { SelectField, TextField } from "@shared/ui/fields";
import { ImageField } from "@shared/ui/image";
import { useStaff } from "../../shell/staff";
import { MAX_OPTIONS, MIN_OPTIONS, blankOption, imageValue, type OptionForm, type QuestionForm } from "./form";
import { Reason } from "./common";

type Props = {
  index: number; question: QuestionForm; errors: Record<string, string>; disabled: boolean; removable: boolean;
  onChange: (q: QuestionForm, structural?: boolean) => void; onRemove: () => void;
};

const KINDS: [string, string][] = [["single", "один ответ"], ["multiple", "несколько ответов"]];

export function QuestionEditor({ index, question: q, errors, disabled, removable, onChange, onRemove }: Props) {
  const { api } = useStaff();
  const n = index + 1;
  const path = `questions.${index}`;
  const id = (name: string) => `q${index}-${name}`;
  const setOption = (j: number, patch: Partial<OptionForm>) =>
    onChange({ ...q, options: q.options.map((o, k) => (k === j ? { ...o, ...patch } : o)) });
  const own = errors[path];
  return (
    <fieldset class="question" id={id("box")} disabled={disabled}>
      <legend>Вопрос {n}</legend>
      {own && <p class="field-error">{own}</p>}
      <TextField id={id("text")} label="Текст вопроса" value={q.text} maxLength={500} required
        error={errors[`${path}.text`]} onInput={(text) => onChange({ ...q, text })} />
      <SelectField id={id("kind")} label="Тип ответа" value={q.kind} options={KINDS} error={errors[`${path}.kind`]}
        onChange={(kind) => onChange({ ...q, kind: kind as QuestionForm["kind"] })} />
      {q.kind === "multiple" && (
        <div class="field-row">
          <TextField id={id("min")} label="Не меньше вариантов" inputMode="numeric" value={q.min}
            error={errors[`${path}.min_choices`]} onInput={(min) => onChange({ ...q, min })} />
          <TextField id={id("max")} label="Не больше вариантов" inputMode="numeric" value={q.max}
            hint="Пусто — сколько угодно из предложенных" error={errors[`${path}.max_choices`]}
            onInput={(max) => onChange({ ...q, max })} />
        </div>
      )}
      <div class="field">
        <p class="field-label" id={id("options-label")}>Варианты ответа</p>
        <ol class="options" aria-labelledby={id("options-label")}>
          {q.options.map((option, j) => {
            const err = errors[`${path}.options.${j}.text`];
            const imageErr = errors[`${path}.options.${j}.image`];
            const altErr = errors[`${path}.options.${j}.image.alt`];
            const oid = id(`o${j}`);
            return (
              <li key={j} class="option-row">
                <label class="visually-hidden" for={oid}>Вариант {j + 1} вопроса {n}</label>
                <input id={oid} type="text" value={option.text} maxLength={300} aria-invalid={err ? "true" : undefined}
                  aria-describedby={err ? `${oid}-error` : undefined} onInput={(e) => setOption(j, { text: e.currentTarget.value })} />
                {!disabled && q.options.length > MIN_OPTIONS && (
                  <button type="button" class="button button-secondary-dark button-small" aria-label={`Убрать вариант ${j + 1} вопроса ${n}`}
                    onClick={() => onChange({ ...q, options: q.options.filter((_, k) => k !== j) }, true)}>Убрать</button>
                )}
                {err && <p id={`${oid}-error`} class="field-error">{err}</p>}
                {(!disabled || option.image) && (
                  <details class="option-image" open={Boolean(option.image || imageErr || altErr)}>
                    <summary>{option.image ? "Изображение варианта" : "Добавить изображение варианта"}</summary>
                    <ImageField id={`${oid}-image`} label={`Изображение варианта ${j + 1} вопроса ${n}`} api={api}
                      value={imageValue(option.image)} onChange={(image) => setOption(j, { image })}
                      error={imageErr} altError={altErr} disabled={disabled} />
                  </details>
                )}
              </li>
            );
          })}
        </ol>
        {errors[`${path}.options`] && <p class="field-error">{errors[`${path}.options`]}</p>}
      </div>
      {!disabled && <p class="actions">
        {q.options.length < MAX_OPTIONS
          ? <button type="button" class="button button-secondary-dark button-small" onClick={() => onChange({ ...q, options: [...q.options, blankOption()] }, true)}>Добавить вариант</button>
          : <Reason>В вопросе не больше {MAX_OPTIONS} вариантов.</Reason>}
        {removable && <button type="button" class="button button-secondary-dark button-small" onClick={onRemove}>Удалить вопрос {n}</button>}
      </p>}
    </fieldset>
  );
}
