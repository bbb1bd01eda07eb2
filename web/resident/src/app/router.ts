// Hash routes (#/polls/ID): one page that static hosting and the service worker serve for every
// address, and links that work offline.
import { useEffect, useState } from "preact/hooks";

export type Route = { path: string; segments: string[]; query: URLSearchParams };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/polls";
  const [path, search = ""] = raw.split("?", 2);
  const segments = path.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
  return { path: `/${segments.join("/")}`, segments, query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", update);
    // A hash change between the first render and this effect would otherwise be missed.
    update();
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** A link target inside the app: `link("polls", id)` → `#/polls/<id>`. */
export function link(...segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}

export function go(...segments: string[]): void {
  window.location.hash = link(...segments);
}
