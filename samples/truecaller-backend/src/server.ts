import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { health } from "./health";

const port = Number(process.env.PORT ?? 3000);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/health") {
    send(res, 200, health(process.env, process.uptime()));
    return;
  }
  send(res, 404, { error: "not found", path });
}

if (require.main === module) {
  const server = createServer(handle);
  server.listen(port, () => console.log(`truecaller-backend listening on :${port}`));
  const stop = (): void => {
    server.close(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
