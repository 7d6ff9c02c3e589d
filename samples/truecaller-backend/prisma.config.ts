import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// Work around a Prisma 6.19 bug with the JS schema engine: @prisma/adapter-pg refuses the catalog column types
// `name` (oid 19) and `"char"` (oid 18) that the schema engine's own introspection queries return. pg already
// parses both as strings, so report them as text (oid 25).
type Fields = { fields?: { dataTypeID: number }[] } | undefined;
const asText = (result: Fields): void => {
  for (const field of result?.fields ?? []) {
    if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
  }
};
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    // Callback style (pg.Pool#query calls the client this way).
    args[args.length - 1] = (error: unknown, result: Fields) => {
      asText(result);
      (last as (e: unknown, r: unknown) => void)(error, result);
    };
    return query.apply(this, args);
  }
  const result = query.apply(this, args);
  return result instanceof Promise ? result.then((r: Fields) => (asText(r), r)) : result;
} as typeof pg.Client.prototype.query;

export default defineConfig({
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaPg(
      { connectionString: process.env.DATABASE_URL },
      { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL },
    ),
});
