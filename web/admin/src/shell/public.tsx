// Pages anyone may open without signing in (sign-in itself, the vote check, the API reference).
import { render, type FunctionComponent } from "preact";
import { Frame } from "./frame";

export function mountPublicPage(title: string, Page: FunctionComponent): void {
  document.title = `${title} — Активный житель 74`;
  render(<Frame title={title} me={null}><Page /></Frame>, document.getElementById("app")!);
}
