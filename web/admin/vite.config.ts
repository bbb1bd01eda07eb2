import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The admin site: one HTML entry per page (each loads its own module from src/pages), built into
// build/web/admin, which `make run` serves and `make deploy` uploads to the site bucket.
const root = fileURLToPath(new URL(".", import.meta.url));
const pages = Object.fromEntries(
  readdirSync(root).filter((f) => f.endsWith(".html")).map((f) => [f.replace(/\.html$/, ""), `${root}${f}`]),
);

export default defineConfig({
  root,
  base: "/",
  plugins: [preact()],
  resolve: { alias: { "@shared": fileURLToPath(new URL("../shared", import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL("../../build/web/admin", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    rollupOptions: { input: pages },
    // The site runs under a strict CSP (script-src 'self'): no inline scripts, no eval.
    modulePreload: { polyfill: false },
  },
});
