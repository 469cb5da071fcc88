/**
 * What every part of the API contract (./contract.ts) uses: the hex words and integers of the
 * protocol, the error answer, and the marker for bodies the core rules check.
 */
import { type Static, type TSchema, Type } from "typebox";

// A pattern's `description` says what the value must be: error messages read "NAME must be DESCRIPTION".
export const Hex64 = Type.String({ pattern: "^[0-9a-f]{64}$", description: "64 lowercase hexadecimal characters" });
export const Address = Type.String({
  pattern: "^[0-9a-f]{64}$",
  description: "64 lowercase hexadecimal characters (an address: an Ed25519 public key)",
});
export const TokenId = Type.String({
  pattern: "^[0-9a-f]{64}$",
  description: "64 lowercase hexadecimal characters (a token id: the id of its token_create transaction)",
});
export const Uint = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** An amount of a token. */
export const Units = Type.Integer({ description: "base units (the token's smallest unit; divide by 10^decimals for whole tokens)" });
export const Work = (description?: string) => Type.Union([Type.Integer(), Type.String()], description === undefined ? {} : { description });
/** The cursor of a paged list, or null on its last page. */
export const Next = Type.Union([Type.String(), Type.Null()]);

// --- errors ---------------------------------------------------------------------------

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "what is wrong, in words a user can act on" }),
    code: Type.Optional(Type.String({ description: "reason code, e.g. bad-signature, nonce-too-low, insufficient-funds" })),
  },
  { $id: "Error" },
);
export type ErrorBody = Static<typeof ErrorBody>;
/** An error answer in a route's schema: a reference to ErrorBody (added to the server by its $id). */
export const ErrorRef = Type.Unsafe<ErrorBody>(Type.Ref("Error#"));

/**
 * A request body the route describes with `schema` but does not check against it: the core
 * rules (src/core/schema.ts) check it in the handler and give reason codes, so the handler
 * gets it as `unknown`.
 */
export const Unchecked = (schema: TSchema) => Type.Unsafe<unknown>(schema);
