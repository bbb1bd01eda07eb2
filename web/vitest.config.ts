import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// Unit tests of the web apps' shared helpers and components (happy-dom, no browser).
export default defineConfig({
  plugins: [preact()],
  resolve: { alias: { "@shared": fileURLToPath(new URL("./shared", import.meta.url)) } },
  test: { root: fileURLToPath(new URL(".", import.meta.url)), include: ["tests/**/*.test.ts?(x)"], environment: "happy-dom" },
});
