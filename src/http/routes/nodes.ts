/** Peers: the list (registration and consensus come with the peer network). */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { TinyNode } from "../../node/node.js";

export function nodeRoutes(app: FastifyInstance, _node: TinyNode): void {
  app.get(
    "/nodes",
    {
      schema: {
        summary: "Known peers, as host:port",
        tags: ["nodes"],
        response: { 200: Type.Object({ nodes: Type.Array(Type.String()) }) },
      },
    },
    async () => ({ nodes: [] as string[] }),
  );
}
