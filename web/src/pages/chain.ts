/** The chain: the last blocks as linked boxes, and the last reorganisation; live. */
import { type Block, get, type Reorg, type Status } from "../api.js";
import { chainView, reorgView } from "../chainview.js";
import { clear, h, section } from "../dom.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";

const SHOWN = 40;

async function render(ctx: Ctx): Promise<void> {
  const [status, reorg] = await Promise.all([get<Status>("/status"), get<{ last: Reorg | null }>("/reorg")]);
  const from = Math.max(1, status.height - SHOWN + 1);
  const { blocks } = await get<{ blocks: Block[] }>(`/blocks?from=${from}&limit=${SHOWN}`);
  if (!ctx.alive()) return;
  clear(
    ctx.root,
    h("h1", {}, "Chain"),
    h(
      "p",
      { class: "small" },
      "Each block names its parent by hash (previous_hash), and its own hash covers that name: changing an old block changes every hash after it, ",
      "so rewriting history means redoing all the work since. The node follows the valid chain with the most total work.",
    ),
    section(`The last ${blocks.length} blocks`, chainView(blocks)),
    section("Last reorganisation", reorgView(reorg.last)),
  );
}

export const chainPage: Page = async (ctx) => {
  ctx.title("Chain");
  await render(ctx);
  return { tip: coalesce(() => render(ctx).catch(() => {})) };
};
