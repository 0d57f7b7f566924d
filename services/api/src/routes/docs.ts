/**
 * The API's own documentation: /openapi.json and Swagger UI at /docs, served from swagger-ui-dist
 * (no network at runtime). These are the only routes outside the route list (index.ts): they serve it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Router from "@koa/router";
import swaggerUiDist from "swagger-ui-dist";
import { openApiDocument } from "../openapi.ts";

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SOC Pipeline API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-initializer-soc.js"></script></body></html>`;

// A file, not an inline script, so the page's CSP needs no 'unsafe-inline'. The key typed into
// "Authorize" is not persisted, and no spec is sent to the public validator.
const DOCS_INITIALIZER = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: false, validatorUrl: null });`;
/**
 * Swagger UI loads only its own files from here, its CSS embeds data: images, and "Try it out"
 * calls this origin. Every other answer of the API keeps the strict default of app.ts.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css",
  "swagger-ui-bundle.js": "application/javascript",
  "favicon-32x32.png": "image/png",
};

/** Paths of the documentation routes, in koa's syntax. */
export const DOCS_PATHS = ["/openapi.json", "/docs", "/docs/assets/:file"] as const;

export function docsRoutes(): Router {
  const router = new Router();
  const document = openApiDocument();

  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });

  router.get("/docs", (ctx) => {
    ctx.set("Content-Security-Policy", DOCS_CSP);
    ctx.type = "html";
    ctx.body = DOCS_PAGE;
  });

  router.get("/docs/assets/:file", async (ctx) => {
    const file = ctx.params.file ?? "";
    if (file === "swagger-initializer-soc.js") {
      ctx.type = "application/javascript";
      ctx.body = DOCS_INITIALIZER;
      return;
    }
    const type = Object.hasOwn(DOCS_ASSETS, file) ? DOCS_ASSETS[file] : undefined;
    if (type === undefined) return;
    ctx.type = type;
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = await readFile(join(swaggerUiDist.getAbsoluteFSPath(), file));
  });

  return router;
}
