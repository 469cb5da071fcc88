/** Maps rule refusals and request problems to docs/protocol.md §7 error answers: `{"error": "...", "code"}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isRuleError, type ReasonKind } from "../core/errors.js";
import { type AjvIssue, validationMessage } from "./validation-message.js";

const STATUS_OF: Record<ReasonKind, number> = { invalid: 400, conflict: 409, busy: 503 };

/** An HTTP error with a message for the user. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function fastifyMessage(err: FastifyError): { status: number; message: string; code?: string } {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, message: "the request body is too large", code: "body-too-large" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, message: "send the body as JSON with the header Content-Type: application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, message: "the JSON body is empty" };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, message: `the body is not valid JSON: ${err.message}` };
    default:
      break;
  }
  if (err.validation) {
    return { status: 400, message: validationMessage(err.validationContext, err.validation as AjvIssue[]), code: "bad-request" };
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, message: err.message };
  }
  if ((err as { type?: string }).type === "entity.parse.failed" || err instanceof SyntaxError) {
    return { status: 400, message: `the body is not valid JSON: ${err.message}` };
  }
  return { status: 500, message: "internal error" };
}

/** Requests Fastify refuses before routing (a URL it cannot decode, a path parameter over the limit). */
export function frameworkErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "a part of the URL path is too long: block ids, hashes and addresses are at most 64 characters"
      : err.code === "FST_ERR_BAD_URL"
        ? "the URL is not valid: check its percent-encoding (%XX with two hex digits, valid UTF-8)"
        : "the request could not be routed";
  void reply.status(400).send({ error: message });
}

/** The answer (status and body) to an error a request's handling threw: a rule's refusal, an HttpError, or Fastify's. */
export function errorAnswer(err: unknown): { status: number; body: { error: string; code?: string } } {
  if (isRuleError(err)) return { status: STATUS_OF[err.kind], body: { error: err.message, code: err.code } };
  if (err instanceof HttpError) {
    return { status: err.statusCode, body: err.code ? { error: err.message, code: err.code } : { error: err.message } };
  }
  const { status, message, code } = fastifyMessage(err as FastifyError);
  return { status, body: code !== undefined ? { error: message, code } : { error: message } };
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorAnswer(err);
  // a refusal is the node's answer; anything else at 500 is a fault to log
  if (status >= 500 && !isRuleError(err) && !(err instanceof HttpError)) req.log.error({ err }, "request failed");
  void reply.status(status).send(body);
}
