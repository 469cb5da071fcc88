/**
 * The API contract's token routes (GET /tokens...) and token events: schemas and their static
 * types. See ./contract.ts.
 */
import { type Static, Type } from "typebox";
import { Address, Hex64, Next, TokenId, Units } from "./common.js";

const tokenEventFields = {
  event: Type.Union([Type.Literal("Transfer"), Type.Literal("Approval")]),
  token: Hex64,
  from: Type.Optional(Type.String({ description: 'Transfer: the sender, "0" when minted' })),
  to: Type.Optional(Address),
  owner: Type.Optional(Address),
  spender: Type.Optional(Address),
  value: Units,
};
export const TokenEvent = Type.Object(tokenEventFields, {
  description: "an ERC-20 event: Transfer(from, to, value) or Approval(owner, spender, value)",
});
export type TokenEvent = Static<typeof TokenEvent>;

export const TokenInfo = Type.Object({
  id: Hex64,
  name: Type.String(),
  symbol: Type.String(),
  decimals: Type.Integer({ minimum: 0, maximum: 18 }),
  total_supply: Units,
  creator: Address,
  block_index: Type.Union([Type.Integer(), Type.Null()], { description: "the block that created the token" }),
});
export type TokenInfo = Static<typeof TokenInfo>;

/** `?limit=N&offset=K` of a list in a fixed order. */
export const OffsetQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
});
export const TokenList = Type.Object({ tokens: Type.Array(TokenInfo), total: Type.Integer() });
export const TokenParam = Type.Object({ id: TokenId });
export const TokenAddressParam = Type.Object({ id: TokenId, address: Address });
export const TokenAllowanceParam = Type.Object({ id: TokenId, owner: Address, spender: Address });
export const TokenBalance = Type.Object({ token: Hex64, address: Address, balance: Units });
export type TokenBalance = Static<typeof TokenBalance>;
export const TokenAllowance = Type.Object({ token: Hex64, owner: Address, spender: Address, allowance: Units });
export type TokenAllowance = Static<typeof TokenAllowance>;

export const TokenEventQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  after: Type.Optional(
    Type.String({
      pattern: "^[0-9]{1,16}:[0-9]{1,6}:[0-9]{1,6}$",
      description: "a cursor BLOCK:POSITION:EVENT (three numbers), as a page's `next` gives it",
    }),
  ),
});
export const TokenEventEntry = Type.Object(
  {
    ...tokenEventFields,
    tx_id: Hex64,
    block_index: Type.Integer(),
    position: Type.Integer({ description: "the transaction's position in its block" }),
  },
  { description: "an ERC-20 event: Transfer(from, to, value) or Approval(owner, spender, value)" },
);
export type TokenEventEntry = Static<typeof TokenEventEntry>;
export const TokenEventPage = Type.Object({ events: Type.Array(TokenEventEntry), next: Next });
export const TokenHolders = Type.Object({
  holders: Type.Array(Type.Object({ address: Address, balance: Units })),
  total: Type.Integer(),
});
