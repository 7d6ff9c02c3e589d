/** The body of GET /health: what a load balancer and the deploy pipeline's Verify stage read. */
export interface Health {
  status: "ok";
  service: string;
  uptimeSeconds: number;
  ollama: { enabled: boolean; url: string | null; model: string | null };
}

export function health(env: NodeJS.ProcessEnv, uptimeSeconds: number): Health {
  const enabled = env.OLLAMA_ENABLED === "true";
  return {
    status: "ok",
    service: "truecaller-backend",
    uptimeSeconds: Math.round(uptimeSeconds),
    ollama: {
      enabled,
      url: env.OLLAMA_URL ?? null,
      model: enabled ? (env.OLLAMA_MODEL ?? null) : null,
    },
  };
}
