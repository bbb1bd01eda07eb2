// The resident app's service worker (built to /sw.js; scope: the resident origin only, which never
// serves the admin site). It keeps the app shell for offline use and shows push notifications.
// API calls pass straight through: the app itself keeps the last poll list and feed page
// (app/saved.ts) and says when it shows them, and a ballot is never queued here.

// The list of built files and their version, written by the build (vite.config.ts).
const PRECACHE = "__AJ74_PRECACHE__" as unknown as { version: string; files: string[] };
const CACHE = `aj74-shell-${PRECACHE.version}`;

type ExtendableEvent = Event & { waitUntil(p: Promise<unknown>): void };
type FetchEvent = ExtendableEvent & { request: Request; respondWith(r: Promise<Response> | Response): void };
type PushEvent = ExtendableEvent & { data: { json(): unknown; text(): string } | null };
type NotificationEvent = ExtendableEvent & { notification: Notification & { data: unknown } };
type WindowClient = { url: string; focus(): Promise<WindowClient>; navigate(url: string): Promise<WindowClient | null> };
type WorkerScope = {
  location: Location;
  registration: ServiceWorkerRegistration;
  clients: {
    claim(): Promise<void>;
    matchAll(o: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (e: FetchEvent) => void): void;
  addEventListener(type: "push", listener: (e: PushEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (e: NotificationEvent) => void): void;
};
const worker = self as unknown as WorkerScope;

worker.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.files)).then(() => worker.skipWaiting()),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("aj74-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return; // the API, images: the network, as the app asks
  if (url.pathname === "/config.json") {
    // The deployment's settings: fresh when online, the last copy offline.
    event.respondWith(networkFirst(request));
    return;
  }
  if (request.mode === "navigate") {
    // One page with hash routes: every navigation is the shell.
    event.respondWith(fetch(request).catch(() => caches.match("/", { cacheName: CACHE }).then((r) => r ?? Response.error())));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    return (await cache.match(request)) ?? Response.error();
  }
}

type Payload = { title?: unknown; body?: unknown; url?: unknown; tag?: unknown };

worker.addEventListener("push", (event) => {
  let payload: Payload = {};
  try {
    payload = (event.data?.json() ?? {}) as Payload;
  } catch {
    payload = { body: event.data?.text() ?? "" };
  }
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Активный житель 74";
  const url = typeof payload.url === "string" && payload.url.startsWith("/") ? payload.url : "/#/feed";
  event.waitUntil(
    worker.registration.showNotification(title, {
      body: typeof payload.body === "string" ? payload.body : "",
      tag: typeof payload.tag === "string" ? payload.tag : undefined,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      lang: "ru",
      data: { url },
    }),
  );
});

worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: string } | null;
  const target = new URL(data?.url ?? "/#/feed", worker.location.origin).href;
  event.waitUntil(
    worker.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).origin === worker.location.origin);
      if (open) {
        await open.focus();
        await open.navigate(target);
        return;
      }
      await worker.clients.openWindow(target);
    }),
  );
});

// A module, so its declarations stay out of the global scope of the pages' types.
export {};
