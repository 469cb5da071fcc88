/**
 * A transaction load on a world: transfers arrive at random (a Poisson process in virtual
 * time, `ratePerS` a second on average), each a real signed transaction from a node's wallet
 * to another node's address, sent to the paying node's own POST /transactions as a wallet on
 * its machine would send it, and gossiped from there like any other.
 *
 * A node pays only from coins that every running node agrees on: rewards and transfers in
 * blocks below the common part of their main chains (one block deep), less what the load has
 * already sent from it. So a transaction stays payable on every branch a fork or a partition
 * may leave, and one the network loses is a fault of the nodes, not of the load.
 */
import { txId } from "../core/encoding.js";
import type { Timer } from "../node/clock.js";
import { signTransaction } from "../wallet/sign.js";
import type { Rng } from "./rng.js";
import type { SimNode, World } from "./world.js";

export interface TxLoadReport {
  /** Transactions sent to a node. */
  submitted: number;
  /** Sent and not accepted (any answer but 201). */
  refused: number;
  /** Accepted and on the reference node's main chain exactly once. */
  confirmed: number;
  /** Accepted and on the reference node's main chain more than once. */
  duplicated: number;
  /** Accepted, not on the main chain, in some running node's pool. */
  pending: number;
  /** Accepted, and neither on the main chain nor in any running node's pool. */
  lost: number;
  /** Arrivals no running node could pay for (not sent). */
  unfunded: number;
}

/** Blocks on top of the common part of the chains before its coins count as settled. */
const SETTLE_DEPTH = 1;

export class TxLoad {
  private timer: Timer | undefined;
  /** Ids accepted by a node, in the order sent. */
  private readonly accepted: string[] = [];
  private submitted = 0;
  private refused = 0;
  private unfunded = 0;
  /** The height up to which every running node has the same main chain (less SETTLE_DEPTH), and what it paid each address. */
  private settledHeight = 1;
  private readonly credits = new Map<string, number>();
  /** Per sender: what the load sent (amount + fee) and the next nonce. */
  private readonly spent = new Map<string, number>();
  private readonly nonces = new Map<string, number>();
  /** Senders whose next nonce is to be read from their node again (after a refusal). */
  private readonly resync = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly rng: Rng,
    private readonly ratePerS: number,
  ) {}

  /** Starts the arrivals (from now, on the world's clock). */
  start(): void {
    if (this.timer !== undefined || !(this.ratePerS > 0)) return;
    const next = () => {
      const gapMs = (-Math.log(1 - this.rng.next()) / this.ratePerS) * 1000;
      this.timer = this.world.clock.after(gapMs, () => {
        this.arrive();
        next();
      });
    };
    next();
  }

  /** Stops the arrivals; what was sent goes on. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Where the sent transactions stand, against `reference`'s main chain (default: the first running node). */
  report(reference?: number): TxLoadReport {
    const live = this.world.nodes.filter((n) => n.up);
    const ref = reference !== undefined ? this.world.nodes[reference] : live[0];
    const ours = new Set(this.accepted);
    const onMain = new Map<string, number>();
    if (ref !== undefined) {
      const store = ref.node.chain.store;
      for (let h = 2; h <= ref.node.chain.tip.height; h++) {
        const block = store.block(store.mainHash(h) ?? "");
        for (const tx of block?.transactions ?? []) {
          if (tx.type === "coinbase") continue;
          const id = txId(tx);
          if (ours.has(id)) onMain.set(id, (onMain.get(id) ?? 0) + 1);
        }
      }
    }
    const r = { confirmed: 0, duplicated: 0, pending: 0, lost: 0 };
    for (const id of ours) {
      const times = onMain.get(id) ?? 0;
      if (times === 1) r.confirmed++;
      else if (times > 1) r.duplicated++;
      else if (live.some((n) => n.node.pool.has(id))) r.pending++;
      else r.lost++;
    }
    return { submitted: this.submitted, refused: this.refused, ...r, unfunded: this.unfunded };
  }

  private arrive(): void {
    this.settle();
    const nodes = this.world.nodes;
    if (nodes.length < 2) return;
    const amount = this.rng.int(1, 10);
    const fee = this.world.params.min_fee + this.rng.int(0, 2);
    const payers = nodes.filter((n) => n.up && this.spendable(n.node.wallet.address) >= amount + fee);
    if (payers.length === 0) {
      this.unfunded++;
      return;
    }
    const payer = this.rng.pick(payers);
    const from = nodes.indexOf(payer);
    const k = this.rng.int(0, nodes.length - 2);
    const to = nodes[k >= from ? k + 1 : k] as SimNode;
    this.send(from, payer, to.node.wallet.address, amount, fee);
  }

  private send(from: number, payer: SimNode, recipient: string, amount: number, fee: number): void {
    const wallet = payer.node.wallet;
    const address = wallet.address;
    let nonce = this.nonces.get(address) ?? 0;
    if (this.resync.delete(address)) nonce = payer.node.pool.nextNonce(address);
    this.nonces.set(address, nonce + 1);
    this.spent.set(address, (this.spent.get(address) ?? 0) + amount + fee);
    const { tx, id } = signTransaction(wallet, { type: "transfer", recipient, amount }, { network: this.world.params.name, nonce, fee });
    this.submitted++;
    const refused = () => {
      this.refused++;
      this.spent.set(address, (this.spent.get(address) ?? 0) - amount - fee);
      this.resync.add(address);
    };
    void this.world.inject(from, { method: "POST", path: "/transactions", body: JSON.stringify(tx) }).then((answer) => {
      if (answer.status === 201) this.accepted.push(id);
      else refused();
    }, refused);
  }

  private spendable(address: string): number {
    return (this.credits.get(address) ?? 0) - (this.spent.get(address) ?? 0);
  }

  /** Moves `settledHeight` up to the common part of the running nodes' main chains, crediting what those blocks pay. */
  private settle(): void {
    const chains = this.world.nodes.filter((n) => n.up).map((n) => n.node.chain);
    const first = chains[0];
    if (first === undefined) return;
    let h = Math.min(...chains.map((c) => c.tip.height));
    for (; h > this.settledHeight; h--) {
      const hash = first.store.mainHash(h);
      if (chains.every((c) => c.store.mainHash(h) === hash)) break;
    }
    const upTo = h - SETTLE_DEPTH;
    for (let k = this.settledHeight + 1; k <= upTo; k++) {
      const block = first.store.block(first.store.mainHash(k) ?? "");
      for (const tx of block?.transactions ?? []) {
        if (tx.type === "coinbase" || tx.type === "transfer")
          this.credits.set(tx.recipient, (this.credits.get(tx.recipient) ?? 0) + tx.amount);
      }
    }
    this.settledHeight = Math.max(this.settledHeight, upTo);
  }
}
