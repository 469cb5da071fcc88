/** The node's HTTP API (docs/protocol.md §7): Fastify, with the OpenAPI description made from the route schemas. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import { ErrorBody } from "../api/contract.js";
import type { TinyNode } from "../node/node.js";
import type { AccessOptions } from "./auth.js";
import { bodyLimiter } from "./body-limit.js";
import { CONNECTION_DEFAULTS, type ConnectionLimits, capConnections, timeoutOptions } from "./connections.js";
import { errorHandler, frameworkErrorHandler } from "./errors.js";
import { NO_METER, type RateLimitOptions, rateLimiter } from "./rate-limit.js";
import { accountRoutes } from "./routes/accounts.js";
import { chainRoutes } from "./routes/chain.js";
import { eventRoutes } from "./routes/events.js";
import { explorerRoutes } from "./routes/explorer.js";
import { forkRoutes } from "./routes/forks.js";
import { nodeRoutes } from "./routes/nodes.js";
import { tokenRoutes } from "./routes/tokens.js";
import { transactionRoutes } from "./routes/transactions.js";
import { tutorialRoutes } from "./routes/tutorial.js";

export const BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  bodyLimit?: number;
  /** The built block-explorer page (default: web/dist of this checkout or package). */
  webRoot?: string;
  /** Public POST routes, per client, charged by work (default 100/s; loopback exempt: src/http/rate-limit.ts). */
  rateLimit?: RateLimitOptions;
  /** More Host names that count as this node's own (--allow-host). */
  allowHosts?: readonly string[];
  /** Operator routes always need the token, even from loopback (--require-token). */
  requireToken?: boolean;
  /** Request timeouts and connection caps (default CONNECTION_DEFAULTS). */
  connections?: Partial<ConnectionLimits>;
}

/** Public POST routes under the per-client rate limit. */
const LIMITED = new Set(["/transactions", "/transactions/new", "/transaction/new", "/blocks"]);

const WEB_ROOT = fileURLToPath(new URL("../../web/dist", import.meta.url));
const WEB_MISSING =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>tinychain</title><body>' +
  "<h1>tinychain node</h1><p>The block explorer page is not built: run <code>npm run build</code> and restart the node.</p>" +
  '<p>The API is described at <a href="/docs">/docs</a> (<a href="/openapi.json">openapi.json</a>).</p></body></html>';

/**
 * Sent with every answer (the explorer, /docs, the API, errors, event streams): no page of
 * another origin may frame the explorer (its console has "Mine a block" and "Send from the
 * node wallet"), a browser never guesses a content type, and the pages load nothing but this
 * node's own files.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};
/** /docs (Swagger UI) draws its icons from data: URLs and sets inline styles; nothing else is relaxed. */
const DOCS_CSP = `${SECURITY_HEADERS["content-security-policy"]}; img-src 'self' data:; style-src 'self' 'unsafe-inline'`;

function hostLines(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).length === 4 && (raw[i] as string).toLowerCase() === "host") n++;
  return n;
}

/**
 * Params and query strings are checked (and coerced) by ajv; bodies by the core rules in the
 * handlers. `verbose` gives each error its schema and value, for the message (validation-message.ts).
 */
const ajv = new Ajv({ coerceTypes: "array", useDefaults: true, removeAdditional: false, allErrors: false, strict: false, verbose: true });

export async function buildServer(node: TinyNode, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const connections: ConnectionLimits = { ...CONNECTION_DEFAULTS, ...opts.connections };
  // the node's pino logger, seen as the logger interface Fastify's instance is typed with
  const app = Fastify<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger>({
    loggerInstance: node.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
    return503OnClosing: true,
    ...timeoutOptions(connections),
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
  });
  capConnections(app.server, connections);
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
  // first of all hooks, on the raw response: answers written by hooks, plugins and streams carry them too
  app.addHook("onRequest", async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(k, v);
    if (req.url === "/docs" || req.url.startsWith("/docs/")) reply.raw.setHeader("content-security-policy", DOCS_CSP);
    // RFC 9112 §3.2: more than one Host is a bad request (Node.js would keep the first, unseen by the Host check)
    if (hostLines(req.raw.rawHeaders) > 1) {
      return reply.status(400).send({ error: "the request has more than one Host header", code: "bad-request" });
    }
  });
  const limiter = rateLimiter({ allowHosts: opts.allowHosts ?? [], ...(opts.rateLimit ?? { perSecond: 100 }) });
  const tooLarge = bodyLimiter(opts.bodyLimit ?? BODY_LIMIT);
  // null until the hook below sets it (Fastify wants reference-type decorations to start as null; no dependencies)
  app.decorateRequest("work", null, []);
  app.addHook("onRequest", async (req, reply) => {
    req.work = NO_METER;
    if (req.method === "POST" && LIMITED.has(req.url.split("?")[0] as string)) {
      const limited = limiter.admit(req, reply);
      if (limited !== undefined) return limited;
    }
    return tooLarge(req, reply);
  });
  app.addHook("onSend", async (req, reply) => {
    limiter.charged(req, reply);
  });

  // every route the OpenAPI description shows declares its security: operator routes their scheme, the rest none
  app.addHook("onRoute", (route) => {
    if (route.schema && !("security" in route.schema)) route.schema.security = [];
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "tinychain node API",
        version: "1.0.0",
        description:
          'A tinychain node\'s HTTP API. Errors are {"error": message, "code": reason} with 400, 401, 403, 404, 409, 413 or 503. ' +
          "Operator routes (/mine, sending from the node's wallet, DELETE /transactions/{id}, /nodes/register, /nodes/resolve; security operatorToken) are open " +
          "to requests from loopback: peer address 127.0.0.0/8 or ::1, a Host of localhost, 127.0.0.1 or [::1] (or a name given with " +
          "--allow-host), an Origin, if any, that is the node's own, and a Sec-Fetch-Site, if any, of same-origin or none. Anything " +
          "else needs Authorization: Bearer <token from <data-dir>/api.token> (always, with --require-token); a browser's request " +
          "without it gets 403 (so no web page can mine or spend through a visitor's browser), any other 401. Everything else is " +
          "public (security: []). No answer carries CORS headers. A request's headers must arrive within " +
          `${connections.headersTimeoutMs / 1000} s of connecting and the whole request within ${connections.requestTimeoutMs / 1000} s ` +
          `(else 408 and the connection is closed); a client address holds at most ${connections.maxConnectionsPerAddress} connections.`,
      },
      components: {
        securitySchemes: { operatorToken: { type: "http", scheme: "bearer" } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const access: AccessOptions = { token: node.apiToken, allowHosts: opts.allowHosts ?? [], requireToken: opts.requireToken ?? false };
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    tutorialRoutes(scope, node, access);
    chainRoutes(scope, node);
    transactionRoutes(scope, node, access);
    accountRoutes(scope, node);
    nodeRoutes(scope, node, access);
    tokenRoutes(scope, node);
    eventRoutes(scope, node, access);
    explorerRoutes(scope, node);
    forkRoutes(scope, node);
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
