// The sample backend: /health for the load balancer, /api/summarize forwards to Ollama.
const http = require("node:http");

const port = Number(process.env.PORT ?? 3000);
const ollamaUrl = process.env.OLLAMA_URL;
const ollamaModel = process.env.OLLAMA_MODEL ?? "llama3.2:1b";
const ollamaTimeout = Number(process.env.OLLAMA_TIMEOUT ?? 30000);

async function summarize(text) {
  if (process.env.OLLAMA_ENABLED !== "true" || !ollamaUrl) {
    return { summary: text.slice(0, 80), source: "truncate" };
  }
  const response = await fetch(`${ollamaUrl}/api/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: ollamaModel, prompt: `Summarize: ${text}`, stream: false }),
    signal: AbortSignal.timeout(ollamaTimeout),
  });
  const body = await response.json();
  return { summary: body.response, source: ollamaModel };
}

const server = http.createServer(async (request, response) => {
  if (request.url === "/health") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: "ok" }));
    return;
  }
  if (request.url === "/api/summarize" && request.method === "POST") {
    let body = "";
    for await (const chunk of request) body += chunk;
    try {
      const result = await summarize(JSON.parse(body).text ?? "");
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(result));
    } catch (error) {
      response.writeHead(502, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: String(error) }));
    }
    return;
  }
  response.writeHead(404);
  response.end();
});

server.listen(port, () => console.log(`listening on ${port}`));
