/**
 * The Fastify instance the routes are declared on: typed by the TypeBox type provider, so a
 * route's params, query string, body and answers get their static types from the schemas of
 * the API contract (src/api/contract.ts), with no casts in the handlers.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
