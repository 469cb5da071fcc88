/** The node's HTTP API (SPEC §7): Fastify, with the OpenAPI description made from the route schemas. */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { TinyNode } from "../node/node.js";
import { errorHandler } from "./errors.js";
import { accountRoutes } from "./routes/accounts.js";
import { chainRoutes } from "./routes/chain.js";
import { nodeRoutes } from "./routes/nodes.js";
import { transactionRoutes } from "./routes/transactions.js";
import { tutorialRoutes } from "./routes/tutorial.js";
import { ErrorBody } from "./schemas.js";

export const BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  bodyLimit?: number;
}

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

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "tinychain node API",
        version: "1.0.0",
        description:
          'A tinychain node\'s HTTP API (SPEC §7). Errors are {"error": message, "code": reason} with 400, 401, 404, 409, 413 or 503. ' +
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
  });
  return app;
}
