/** What every page gets and gives back. */
import type { Handlers } from "./live.js";

export interface Ctx {
  /** The page's container. */
  root: HTMLElement;
  /** False once the visitor has moved on to another page: drop late answers. */
  alive: () => boolean;
  title: (t: string) => void;
}

/** Renders into ctx.root; may return handlers for live events while the page is shown. */
export type Page = (ctx: Ctx, arg: string) => Promise<Handlers | undefined>;
