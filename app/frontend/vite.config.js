import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app only ever talks to the backend through same-origin /api: in
// production nginx proxies it (nginx/default.conf.template); in `npm run dev`
// Vite does, to a local backend.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": process.env.VITE_BACKEND_URL || "http://127.0.0.1:8000",
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/setupTests.js"],
    globals: false,
    css: false,
    restoreMocks: true,
    // user-event typing takes seconds when the 2-core machine is shared with builds:
    // the default 5 s timed out a passing test there.
    testTimeout: 20000,
  },
});
