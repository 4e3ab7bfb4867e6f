// The page is built into dist/ under fixed names (no content hashes), so the binary embeds
// the same three files every time and a rebuild from the lockfile gives the same bytes.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: ".",
    modulePreload: false,
    cssCodeSplit: false,
    sourcemap: false,
    target: "es2022",
    rollupOptions: {
      output: {
        entryFileNames: "app.js",
        assetFileNames: "app.css",
        inlineDynamicImports: true,
      },
    },
  },
});
