// The API reference, rendered from the OpenAPI document the API serves itself (GET /v1/openapi.json,
// no sign-in): every operation with its access (role titles from /v1/roles), parameters, body fields
// and responses. Everything from the network is rendered as text.
import { useEffect, useState } from "preact/hooks";
import { createApi, data } from "@shared/api/client";
import { loadConfig } from "@shared/config";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, StatusLine, TableWrap } from "@shared/ui/feedback";
import "../styles/site.css";
import "../styles/api.css";
import { mountPublicPage } from "../shell/public";

type Schema = {
  $ref?: string; oneOf?: Schema[]; anyOf?: Schema[]; enum?: unknown[]; const?: unknown; type?: string | string[];
  format?: string; pattern?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number;
  minItems?: number; maxItems?: number; items?: Schema; properties?: Record<string, Schema>; required?: string[];
  additionalProperties?: unknown; description?: string;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Operation = {
  operationId?: string; summary?: string; description?: string; tags?: string[]; security?: unknown[];
  "x-roles"?: string[]; "x-rate-limit"?: string; parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { $ref?: string; description?: string; content?: Record<string, unknown> }>;
};
type Document = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; responses?: Record<string, { description?: string }> };
};
type Components = { schemas: Record<string, Schema>; responses: Record<string, { description?: string }> };

const STATUS_TITLES: Record<string, string> = { 200: "Успех", 201: "Создано", 202: "Принято", 204: "Нет содержимого" };
const refName = (ref: string) => ref.split("/").pop() ?? ref;

/** A short description of a JSON schema for people: type, limits, allowed values. */
function describe(schema: Schema | undefined): string {
  if (!schema || typeof schema !== "object") return "любое значение";
  if (schema.$ref) return `объект ${refName(schema.$ref)}`;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map(describe).join(" или ");
  if (schema.enum) return `одно из: ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if ("const" in schema) return `ровно ${JSON.stringify(schema.const)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" или ") : schema.type ?? "объект";
  const limits: string[] = [];
  if (schema.format) limits.push(`формат ${schema.format}`);
  if (schema.pattern) limits.push(`шаблон ${schema.pattern}`);
  if (schema.minLength !== undefined) limits.push(`от ${schema.minLength} символов`);
  if (schema.maxLength !== undefined) limits.push(`до ${schema.maxLength} символов`);
  if (schema.minimum !== undefined) limits.push(`не меньше ${schema.minimum}`);
  if (schema.maximum !== undefined) limits.push(`не больше ${schema.maximum}`);
  if (schema.minItems !== undefined) limits.push(`от ${schema.minItems} элементов`);
  if (schema.maxItems !== undefined) limits.push(`до ${schema.maxItems} элементов`);
  if (schema.items) limits.push(`элементы: ${describe(schema.items)}`);
  return limits.length ? `${type} (${limits.join("; ")})` : type;
}

function Fields({ schema, components, label }: { schema: Schema; components: Components; label: string }) {
  const target = schema.$ref ? components.schemas[refName(schema.$ref)] : schema;
  if (!target?.properties) return <p class="muted">{describe(schema)}</p>;
  const required = new Set(target.required ?? []);
  return (
    <TableWrap label={label}>
      <table class="data-table">
        {target.additionalProperties === false && <caption class="muted">Другие поля не допускаются.</caption>}
        <thead><tr><th scope="col">Поле</th><th scope="col">Обязательное</th><th scope="col">Значение</th></tr></thead>
        <tbody>
          {Object.entries(target.properties).map(([name, p]) => (
            <tr key={name}><td>{name}</td><td>{required.has(name) ? "да" : "нет"}</td>
              <td>{p.description ? `${describe(p)} — ${p.description}` : describe(p)}</td></tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function OperationView({ path, method, op, components, roleTitles }: {
  path: string; method: string; op: Operation; components: Components; roleTitles: Record<string, string>;
}) {
  const heading = `${method.toUpperCase()} ${path}`;
  const access = op.security?.length ? "нужен токен входа (Bearer)" : "без входа";
  const roles = op["x-roles"]?.length ? `; роли: ${op["x-roles"].map((r) => roleTitles[r] ?? r).join(", ")}` : "";
  const body = op.requestBody?.content?.["application/json"];
  return (
    <section class="api-operation" id={op.operationId ?? `${method}-${path}`}>
      <h3 class="api-heading">{heading}</h3>
      {op.summary && <p>{op.summary}</p>}
      {op.description && <p class="hint">{op.description}</p>}
      <p class="muted">Доступ: {access}{roles}</p>
      {op["x-rate-limit"] && <p class="muted">Ограничение частоты: {op["x-rate-limit"]}</p>}
      {op.parameters?.length ? (
        <>
          <h4>Параметры</h4>
          <ul>
            {op.parameters.map((p) => {
              const text = `${p.name} (${p.in === "path" ? "в адресе" : "в строке запроса"}${p.required ? ", обязательный" : ""}): ${describe(p.schema)}`;
              return <li key={`${p.in}-${p.name}`}>{p.description ? `${text} — ${p.description}` : text}</li>;
            })}
          </ul>
        </>
      ) : null}
      {body && (
        <>
          <h4>{op.requestBody?.required ? "Тело запроса (JSON)" : "Тело запроса (JSON, необязательно)"}</h4>
          {(body.schema?.oneOf ?? [body.schema ?? {}]).map((s, i) => (
            <Fields key={i} schema={s} components={components} label={`Поля тела запроса ${heading}`} />
          ))}
        </>
      )}
      <h4>Ответы</h4>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, r]) => {
          let text = STATUS_TITLES[status] ?? "";
          if (r?.$ref) {
            const shared = components.responses[refName(r.$ref)];
            text = shared ? `${shared.description} (application/problem+json)` : text;
          } else if (r?.content) {
            text = `${text} (${Object.keys(r.content).join(", ")})`;
          }
          return <li key={status}>{status} — {text}</li>;
        })}
      </ul>
    </section>
  );
}

function Reference() {
  const [status, setStatus] = useState("Загрузка…");
  const [error, setError] = useState<string | null>(null);
  const [doc, setDoc] = useState<Document | null>(null);
  const [url, setUrl] = useState("");
  const [roleTitles, setRoleTitles] = useState<Record<string, string>>({});

  useEffect(() => {
    (async () => {
      try {
        const config = await loadConfig();
        const address = `${config.apiBase}/v1/openapi.json`;
        setUrl(address);
        const response = await fetch(address, { cache: "no-store" }).catch(() => { throw new ApiError("Сервер недоступен. Проверьте подключение.", 0); });
        if (!response.ok) throw new ApiError(`Сервис не отдал описание API (код ${response.status}).`, response.status);
        const roles = await data(createApi(config.apiBase).GET("/v1/roles")).catch(() => ({ items: [] }));
        setRoleTitles(Object.fromEntries(roles.items.map((r) => [r.role, r.title])));
        setDoc((await response.json()) as Document);
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setStatus("");
      }
    })();
  }, []);

  const components: Components = { schemas: doc?.components?.schemas ?? {}, responses: doc?.components?.responses ?? {} };
  const groups = new Map<string, [string, string, Operation][]>();
  for (const [path, operations] of Object.entries(doc?.paths ?? {})) {
    for (const [method, op] of Object.entries(operations)) {
      const tag = op.tags?.[0] ?? "прочее";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push([path, method, op]);
    }
  }
  const sorted = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0], "ru"));
  const count = sorted.reduce((n, [, ops]) => n + ops.length, 0);
  return (
    <>
      <p class="hint">
        Описание строится из документа OpenAPI 3.1, который отдаёт сам сервис (<a id="document-link" href={url || "#"}>openapi.json</a>):
        те же модели проверяют запросы. Ошибки приходят в формате application/problem+json (RFC 9457) с пояснением по-русски.
      </p>
      <StatusLine text={status} />
      <ErrorBox text={error} />
      {doc && (
        <>
          <p id="summary">Операций: {count}.</p>
          <nav id="toc-nav" aria-labelledby="toc-title">
            <h2 id="toc-title">Разделы</h2>
            <ul id="toc">{sorted.map(([tag, ops], i) => <li key={tag}><a href={`#group-${i + 1}`}>{tag} ({ops.length})</a></li>)}</ul>
          </nav>
          <div id="operations">
            {sorted.map(([tag, ops], i) => (
              <section key={tag} id={`group-${i + 1}`}>
                <h2>{tag}</h2>
                {ops.map(([path, method, op]) => (
                  <OperationView key={`${method} ${path}`} path={path} method={method} op={op} components={components} roleTitles={roleTitles} />
                ))}
              </section>
            ))}
          </div>
        </>
      )}
    </>
  );
}

mountPublicPage("Справочник API", Reference);
