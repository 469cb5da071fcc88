/** The node's event stream (GET /events): tip changes, side blocks and new pending transactions, pushed. */
import type { HelloEvent as Hello, TipEvent, TxEvent } from "../../src/api/events.js";

export interface Handlers {
  tip?: (e: TipEvent) => void;
  tx?: (e: TxEvent) => void;
  /** A block was stored off the main chain (a fork). */
  side?: (e: { height: number; hash: string }) => void;
}

type State = "connecting" | "live" | "offline";

const listeners = new Set<Handlers>();
let hello: Hello | undefined;
let helloWaiters: Array<(h: Hello | undefined) => void> = [];
let onState: (s: State) => void = () => {};

function parse<T>(ev: Event): T | undefined {
  try {
    return JSON.parse((ev as MessageEvent<string>).data) as T;
  } catch {
    return undefined;
  }
}

/** Opens the stream once; EventSource reconnects by itself after a drop. */
export function connect(stateChanged: (s: State) => void): void {
  onState = stateChanged;
  onState("connecting");
  const es = new EventSource("/events");
  es.addEventListener("open", () => onState("live"));
  es.addEventListener("error", () => {
    onState(es.readyState === EventSource.CLOSED ? "offline" : "connecting");
    if (es.readyState === EventSource.CLOSED) settleHello(undefined);
  });
  es.addEventListener("hello", (ev) => {
    const h = parse<Hello>(ev);
    if (h) settleHello(h);
  });
  es.addEventListener("tip", (ev) => {
    const e = parse<TipEvent>(ev);
    if (e) for (const l of listeners) l.tip?.(e);
  });
  es.addEventListener("side", (ev) => {
    const e = parse<{ height: number; hash: string }>(ev);
    if (e) for (const l of listeners) l.side?.(e);
  });
  es.addEventListener("tx", (ev) => {
    const e = parse<TxEvent>(ev);
    if (e) for (const l of listeners) l.tx?.(e);
  });
  window.addEventListener("pagehide", () => es.close());
}

function settleHello(h: Hello | undefined): void {
  if (h) hello = h;
  for (const w of helloWaiters) w(hello);
  helloWaiters = [];
}

/** The stream's greeting: whether this visitor may use the operator routes (loopback). */
export function greeting(timeoutMs = 3000): Promise<Hello | undefined> {
  if (hello) return Promise.resolve(hello);
  return new Promise((resolve) => {
    helloWaiters.push(resolve);
    setTimeout(() => resolve(hello), timeoutMs);
  });
}

export function subscribe(h: Handlers): () => void {
  listeners.add(h);
  return () => listeners.delete(h);
}

/** Runs `fn` at most once per `ms` however many events arrive, and never twice at once. */
export function coalesce(fn: () => Promise<void>, ms = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  const run = async () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer === undefined) timer = setTimeout(run, ms);
  };
  return schedule;
}
