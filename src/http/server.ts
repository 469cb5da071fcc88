/** The node's HTTP API (SPEC §7): Fastify, with the OpenAPI description made from the route schemas. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { TinyNode } from "../node/node.js";
import { bodyLimiter } from "./body-limit.js";
import { errorHandler, frameworkErrorHandler } from "./errors.js";
import { type RateLimitOptions, rateLimiter } from "./rate-limit.js";
import { accountRoutes } from "./routes/accounts.js";
import { chainRoutes } from "./routes/chain.js";
import { eventRoutes } from "./routes/events.js";
import { explorerRoutes } from "./routes/explorer.js";
import { nodeRoutes } from "./routes/nodes.js";
import { tokenRoutes } from "./routes/tokens.js";
import { transactionRoutes } from "./routes/transactions.js";
import { tutorialRoutes } from "./routes/tutorial.js";
import { ErrorBody } from "./schemas.js";

export const BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  bodyLimit?: number;
  /** The built block-explorer page (default: web/dist of this checkout or package). */
  webRoot?: string;
  /** Public POST routes, per client (default 100/s; loopback exempt). */
  rateLimit?: RateLimitOptions;
}

/** Public POST routes under the per-client rate limit. */
const LIMITED = new Set(["/transactions", "/transactions/new", "/transaction/new", "/blocks"]);

const WEB_ROOT = fileURLToPath(new URL("../../web/dist", import.meta.url));
const WEB_MISSING =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>tinychain</title><body style="font-family:sans-serif;max-width:40em;margin:2em auto">' +
  "<h1>tinychain node</h1><p>The block explorer page is not built: run <code>npm run build</code> and restart the node.</p>" +
  '<p>The API is described at <a href="/docs">/docs</a> (<a href="/openapi.json">openapi.json</a>).</p></body></html>';

/** Params and query strings are checked (and coerced) by ajv; bodies by the core rules in the handlers. */
const ajv = new Ajv({ coerceTypes: "array", useDefaults: true, removeAdditional: false, allErrors: false, strict: false });

export async function buildServer(node: TinyNode, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: node.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
    return503OnClosing: true,
    requestTimeout: 120_000,
    connectionTimeout: 0,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === "body") return () => true;
    return ajv.compile(schema);
  });
  // Responses are documented by their schemas but written with JSON.stringify, unfiltered.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: `no route ${req.method} ${req.url.split("?")[0]}; the API is described at /docs` });
  });
  app.addSchema(ErrorBody);
  const limit = rateLimiter(opts.rateLimit ?? { perSecond: 100 });
  const tooLarge = bodyLimiter(opts.bodyLimit ?? BODY_LIMIT);
  app.addHook("onRequest", async (req, reply) => {
    if (req.method === "POST" && LIMITED.has(req.url.split("?")[0] as string)) {
      const limited = limit(req, reply);
      if (limited !== undefined) return limited;
    }
    return tooLarge(req, reply);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "tinychain node API",
        version: "1.0.0",
        description:
          'A tinychain node\'s HTTP API. Errors are {"error": message, "code": reason} with 400, 401, 404, 409, 413 or 503. ' +
          "Operator routes (/mine, sending from the node's wallet, /nodes/register, /nodes/resolve) are open to loopback; " +
          "from elsewhere they need Authorization: Bearer <token from <data-dir>/api.token>.",
      },
      components: {
        securitySchemes: { operatorToken: { type: "http", scheme: "bearer" } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => {
    tutorialRoutes(scope, node);
    chainRoutes(scope, node);
    transactionRoutes(scope, node);
    accountRoutes(scope, node);
    nodeRoutes(scope, node);
    tokenRoutes(scope, node);
    eventRoutes(scope, node);
    explorerRoutes(scope, node);
  });

  // The block explorer (web/, built by vite) at /: one route per built file, so unknown paths stay API 404s.
  const webRoot = opts.webRoot ?? WEB_ROOT;
  if (existsSync(`${webRoot}/index.html`)) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      // vite names assets by content hash; the page itself is checked on every load.
      setHeaders: (res, path) =>
        res.setHeader("cache-control", /[\\/]assets[\\/]/.test(path) ? "public, max-age=31536000, immutable" : "no-cache"),
    });
  } else {
    app.get("/", { schema: { hide: true } }, async (_req, reply) => reply.type("text/html; charset=utf-8").send(WEB_MISSING));
  }
  return app;
}
