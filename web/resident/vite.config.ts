import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

// The resident app: one page (index.html, hash routes) and its service worker (src/sw.ts → /sw.js,
// a fixed name so its scope is the whole origin), built into build/web/resident, which `make run`
// serves on AJ74_RESIDENT_PORT and `make deploy` uploads to the resident site's bucket.
const root = fileURLToPath(new URL(".", import.meta.url));
const SW_NAME = "sw.js";
const PRECACHE_PLACEHOLDER = "__AJ74_PRECACHE__";

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path).map((f) => relative(dir, join(path, f))) : [entry.name];
  }).map((f) => f.split("\\").join("/"));
}

/** Writes the list of built files (the app shell) and a version derived from their contents into the
 *  service worker, so a new build installs a new worker that caches exactly the new shell. */
function precacheManifest(): Plugin {
  return {
    name: "aj74-precache-manifest",
    apply: "build",
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((name) => name !== SW_NAME && !name.endsWith(".map"));
      const copied = filesUnder(`${root}public`);
      const files = [...new Set([...built, ...copied])].sort();
      const hash = createHash("sha256");
      for (const name of files) {
        const item = bundle[name];
        hash.update(name);
        if (!item) hash.update(readFileSync(`${root}public/${name}`));
        else hash.update(item.type === "chunk" ? item.code : typeof item.source === "string" ? item.source : Buffer.from(item.source));
      }
      const sw = bundle[SW_NAME];
      if (!sw || sw.type !== "chunk") throw new Error("the service worker chunk is missing");
      const manifest = JSON.stringify({ version: hash.digest("hex").slice(0, 16), files: ["/", ...files.map((f) => `/${f}`)] });
      if (!sw.code.includes(PRECACHE_PLACEHOLDER)) throw new Error("the service worker has no precache placeholder");
      // The minifier may quote the placeholder with ", ' or a backtick.
      sw.code = ['"', "'", "`"].reduce((code, q) => code.replace(`${q}${PRECACHE_PLACEHOLDER}${q}`, manifest), sw.code);
      if (sw.code.includes(PRECACHE_PLACEHOLDER)) throw new Error("the precache placeholder was not replaced");
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  plugins: [preact(), precacheManifest()],
  resolve: { alias: { "@shared": fileURLToPath(new URL("../shared", import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL("../../build/web/resident", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    rollupOptions: {
      input: { index: `${root}index.html`, sw: `${root}src/sw.ts` },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? SW_NAME : "assets/[name]-[hash].js"),
      },
    },
    // Strict CSP (script-src 'self'): no inline scripts, no eval.
    modulePreload: { polyfill: false },
  },
});
